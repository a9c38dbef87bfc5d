# Handwritten-digit Telegram bot (long polling by default: no port to publish).
#   docker build -t digit-bot .
#   docker run -d --env-file .env --restart unless-stopped digit-bot      (or: docker compose up -d)
# Secrets come only from the environment at run time; none are in the image.
# Plain Dockerfile syntax (no BuildKit-only features) so the legacy builder works too.
FROM python:3.11-slim

LABEL org.opencontainers.image.title="digit-bot" \
      org.opencontainers.image.description="Self-hosted Telegram bot that reads handwritten digits (a CNN served with LiteRT)"

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Non-root user with a real HOME: /accuracy downloads MNIST (when MNIST_PATH is not set) where
# Keras keeps it, ~/.keras (or /tmp/.keras when the root filesystem is read-only). ~/.keras exists
# already so that a named volume mounted there starts out owned by this user rather than by root.
# /data holds what must survive a restart (DATA_DIR: the journal of updates): a volume.
RUN useradd --create-home --home-dir /home/bot --uid 10001 --user-group --no-log-init bot \
 && mkdir /home/bot/.keras /data && chown bot:bot /home/bot/.keras /data

# Dependencies in their own layer, before any code: rebuilt only when requirements.txt changes.
# Only what serving needs (the network runs on LiteRT; TensorFlow and Keras are for training).
# All of them ship manylinux wheels, so no compiler is needed.
COPY requirements.txt /tmp/requirements.txt
# Dropped in the same layer, so they never reach the image: LiteRT's WebGPU accelerator
# (19 MB; this image has no GPU), the packages' own test suites (numpy's: 15 MB), and Babel's
# data for the languages the bot does not speak (29 MB; keep this list in step with LANGUAGES
# in bot/i18n.py: .ci/docker-check formats a number in each of them).
RUN pip install --no-cache-dir -r /tmp/requirements.txt && rm /tmp/requirements.txt \
 && cd /usr/local/lib/python3.11/site-packages \
 && rm ai_edge_litert/libLiteRtWebGpuAccelerator.so \
 && find . -type d -name tests -prune -exec rm -rf {} + \
 && find babel/locale-data -name '*.dat' -regextype posix-extended \
      ! -regex '.*/(root|en|ru|uk|es|pt|de|fr|tr|zh|hi)(_[^/]*)?\.dat' -delete

# Runtime settings after the heavy layer, so changing them does not reinstall the dependencies.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATA_DIR=/data
WORKDIR /app
# Only what runs: the bot, the reading path and the corrections store (not training or the
# photo renderer), and the exported networks with their metadata (not the Keras weights,
# which only training reads).
# Owned by root, so the bot cannot modify its own code or weights.
COPY bot/ bot/
COPY model/__init__.py model/shared_redis.py model/sqlite_files.py model/
COPY model/reading/ model/reading/
COPY model/feedback/ model/feedback/
COPY checkpoints/*.json checkpoints/*.tflite checkpoints/
# The translations, compiled from their .po sources (bot/i18n.py).
RUN pybabel -q compile -d bot/locales -D bot

USER bot

# Only in webhook mode (WEBHOOK_URL set): the port WEBHOOK_LISTEN opens, for the reverse proxy.
EXPOSE 8080

# A polling bot has no port to probe: the bot touches $HEARTBEAT_FILE (default
# /tmp/digit-bot.heartbeat) after every successful getUpdates; the check fails once it is 30 s
# old, so a bot that stopped polling turns unhealthy within a minute.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=2 \
    CMD ["python", "-m", "bot.healthcheck"]

# Exec form: python is PID 1 and receives SIGTERM from `docker stop`, so the bot shuts down cleanly.
CMD ["python", "-m", "bot"]
