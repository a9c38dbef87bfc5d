"""What serving needs: LiteRT and no training stack, and MNIST fetched as Keras fetches it."""

import hashlib
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from model.reading import mnist as data
from model.reading.mnist import MnistError, load_mnist_test
from tests.images import drawn_digit, encode

PROJECT = Path(__file__).resolve().parent.parent


def copied_into_the_image() -> tuple[str, ...]:
    """The modules and packages of model/ that the Dockerfile copies, as module names."""
    copied = [path for line in (PROJECT / "Dockerfile").read_text().splitlines()
              if line.startswith("COPY model/") for path in line.split()[1:-1]]
    return tuple(path.removesuffix(".py").rstrip("/").replace("/", ".") for path in copied
                 if path != "model/__init__.py")


def test_serving_a_photo_loads_no_training_stack_and_no_renderer(tmp_path):
    photo = tmp_path / "seven.png"
    photo.write_bytes(encode(drawn_digit("7")))
    probe = (
        "import sys, bot.app, bot.__main__\n"
        "from model.reading import evaluate, predict, reader\n"
        f"reading = reader.Reader.load().read(open({str(photo)!r}, 'rb').read())\n"
        "assert reading.number == '7', reading\n"
        "print('\\n'.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT, capture_output=True,
                            text=True, check=True).stdout.split()
    assert "ai_edge_litert" in loaded and "model.reading.reader" in loaded
    ours = [name for name in loaded if name.startswith("model.")]
    # only what the Dockerfile copies into the image
    assert not [name for name in ours if not name.startswith(copied_into_the_image())], ours
    for heavy in ("tensorflow", "keras", "matplotlib", "h5py"):
        assert heavy not in loaded


@pytest.fixture
def mnist_server(mnist_path):
    """A stand-in for Keras' download address, serving the real file."""
    body = mnist_path.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/mnist.npz", hashlib.sha256(body).hexdigest()
    server.shutdown()


def test_mnist_is_downloaded_once_into_keras_cache(mnist_server, tmp_path, monkeypatch):
    url, sha256 = mnist_server
    monkeypatch.setattr(data, "KERAS_ORIGIN", url)
    monkeypatch.setattr(data, "KERAS_SHA256", sha256)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    assert len(load_mnist_test().labels) == 10_000
    assert (tmp_path / "keras" / "datasets" / "mnist.npz").is_file()
    monkeypatch.setattr(data, "KERAS_ORIGIN", "http://127.0.0.1:9/gone")  # cached: not fetched
    assert len(load_mnist_test().labels) == 10_000


def test_a_corrupt_or_failed_download_is_explained(mnist_server, tmp_path, monkeypatch):
    url, _ = mnist_server
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(data, "KERAS_ORIGIN", url)
    with pytest.raises(MnistError, match="corrupt"):  # not the hash Keras knows
        load_mnist_test()
    assert not (tmp_path / "keras" / "datasets" / "mnist.npz").exists()
    monkeypatch.setattr(data, "KERAS_ORIGIN", "http://127.0.0.1:9/refused")
    with pytest.raises(MnistError, match="MNIST_PATH"):
        load_mnist_test()
