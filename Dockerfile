# Handwritten-digit Telegram bot (long polling: no port to expose).
#   docker build -t digit-bot .
#   docker run -d --env-file .env --restart unless-stopped digit-bot      (or: docker compose up -d)
# Secrets come only from the environment at run time; none are in the image.
# Plain Dockerfile syntax (no BuildKit-only features) so the legacy builder works too.
FROM python:3.11-slim

LABEL org.opencontainers.image.title="digit-bot" \
      org.opencontainers.image.description="Self-hosted Telegram bot that reads handwritten digits (Keras 3, TensorFlow CPU)"

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Non-root user with a real, writable HOME: Keras downloads MNIST (for /accuracy, when MNIST_PATH
# is not set) to ~/.keras, and matplotlib wants ~/.config. ~/.keras exists already so that a named
# volume mounted there starts out owned by this user rather than by root.
# /data holds what must survive a restart (DATA_DIR: the journal of updates): a volume.
RUN useradd --create-home --home-dir /home/bot --uid 10001 --user-group --no-log-init bot \
 && mkdir /home/bot/.keras /data && chown bot:bot /home/bot/.keras /data

# Dependencies in their own layer, before any code: rebuilt only when requirements.txt changes.
# All of them ship manylinux wheels, so no compiler is needed. TensorFlow's C++ headers (~290 MB)
# serve only to compile custom ops: dropped in the same layer so they never reach the image.
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm -rf /tmp/requirements.txt /usr/local/lib/python3.11/site-packages/tensorflow/include

# Runtime settings after the heavy layer, so changing them does not reinstall TensorFlow.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    DATA_DIR=/data \
    MPLCONFIGDIR=/tmp/matplotlib
WORKDIR /app
# Only what runs: code and weights (checkpoints/ must exist in the build context). Owned by root,
# so the bot cannot modify its own code or weights.
COPY bot/ bot/
COPY model/ model/
COPY checkpoints/ checkpoints/

USER bot

# A polling bot has no port to probe: the bot touches $HEARTBEAT_FILE (default
# /tmp/digit-bot.heartbeat) after every successful getUpdates; the check fails once it is 30 s
# old, so a bot that stopped polling turns unhealthy within a minute.
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=2 \
    CMD ["python", "-m", "bot.healthcheck"]

# Exec form: python is PID 1 and receives SIGTERM from `docker stop`, so the bot shuts down cleanly.
CMD ["python", "-m", "bot"]
