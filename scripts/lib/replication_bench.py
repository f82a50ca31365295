"""The data-loss window of `serve --replicate`, measured: under a steady append load over HTTP,
SIGKILL the service and Litestream together, restore on a fresh directory, and count the appends
that were acknowledged but are not in the restored ledger (the RPO, in events and in seconds);
then the time `shiplog restore` takes (verification included) for a ledger of --restore-events.

Prints Markdown table rows. Run by scripts/bench (scenario `replication`) with moto on loopback:

    python3 scripts/lib/replication_bench.py --shiplog BIN --moto URL --work DIR
"""
import argparse, http.client, json, os, re, signal, sqlite3, subprocess, sys, threading, time, urllib.request, uuid

parser = argparse.ArgumentParser()
parser.add_argument("--shiplog", required=True)
parser.add_argument("--moto", required=True)
parser.add_argument("--work", required=True)
parser.add_argument("--sync-interval", default="1s")
parser.add_argument("--load-seconds", type=float, default=10)
parser.add_argument("--writers", type=int, default=4)
parser.add_argument("--restore-events", type=int, default=1_000_000)
args = parser.parse_args()

env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1")


def bucket():
    name = "shiplog-bench-" + uuid.uuid4().hex[:10]
    urllib.request.urlopen(urllib.request.Request(f"{args.moto}/{name}", method="PUT")).read()
    return name


def replica(name, path):
    return f"s3://{name}/{path}?endpoint={args.moto}&region=us-east-1"


def shiplog(*arguments, **kwargs):
    return subprocess.run([args.shiplog, *arguments], env=env, check=True, capture_output=True, text=True, **kwargs)


def serve(db, url):
    process = subprocess.Popen([args.shiplog, "serve", "--port", "0", "--reconcile", "off", "--db", db, "--replicate", url,
                                "--sync-interval", args.sync_interval], env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    seen = ""
    while time.time() < deadline:
        line = process.stderr.readline()
        seen += line
        found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if found:
            threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
            return process, int(found.group(1))
        if not line and process.poll() is not None:
            break
    sys.exit(f"replication bench: the service did not start:\n{seen}")


def kill_tree(process):
    children = []
    for task in os.listdir(f"/proc/{process.pid}/task"):
        with open(f"/proc/{process.pid}/task/{task}/children") as f:
            children += [int(pid) for pid in f.read().split()]
    os.kill(process.pid, signal.SIGKILL)
    for child in children:
        os.kill(child, signal.SIGKILL)
    process.wait()


def rpo():
    directory = os.path.join(args.work, "rpo")
    os.makedirs(directory)
    db = os.path.join(directory, "ledger.sqlite")
    shiplog("init", "--db", db, "--config", os.path.join(directory, "shiplog.yml"))
    token = shiplog("token", "create", "--db", db, "--name", "bench", "--role", "deployer", "--actor", "bench").stdout.strip()
    url = replica(bucket(), "ledger")
    process, port = serve(db, url)
    acknowledged = {}  # tag -> acknowledged at
    lock = threading.Lock()
    stop = threading.Event()

    def writer(number):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        count = 0
        while not stop.is_set():
            tag = f"w{number}-{count}"
            body = json.dumps({"stream": f"build-{number}", "type": "ImageBuilt",
                               "data": {"app": "api", "image": "i", "tag": tag, "digest": f"sha256:{tag}"}})
            try:
                connection.request("POST", "/api/v1/events", body, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
            except OSError:
                return
            if response.status == 201:
                with lock:
                    acknowledged[tag] = time.time()
            count += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
    for thread in threads:
        thread.start()
    time.sleep(args.load_seconds)
    killed_at = time.time()
    kill_tree(process)
    stop.set()
    for thread in threads:
        thread.join()

    restored = os.path.join(directory, "restored.sqlite")
    subprocess.run([args.shiplog, "restore", "--from", url, "--to", restored], env=env, check=False, capture_output=True)
    tags = {row[0] for row in sqlite3.connect(restored).execute("SELECT json_extract(data, '$.tag') FROM events WHERE type = 'ImageBuilt'")}
    missing = {tag: at for tag, at in acknowledged.items() if tag not in tags}
    window = killed_at - min(missing.values()) if missing else 0
    rate = len(acknowledged) / args.load_seconds
    print(f"| Replication's data-loss window: kill -9 of shiplog and Litestream under {args.writers} HTTP appenders "
          f"({rate:,.0f} events/s for {args.load_seconds:.0f}s; sync interval {args.sync_interval}), restore on a fresh directory | "
          f"{len(missing):,} of {len(acknowledged):,} acknowledged appends missing; the oldest acknowledged {window:.2f} s before the kill | — | — | "
          f"≤ the sync interval | {'yes' if window <= parse_seconds(args.sync_interval) + 0.5 else 'no'} |")


def parse_seconds(text):
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


def restore_time():
    directory = os.path.join(args.work, "restore")
    os.makedirs(directory)
    db = os.path.join(directory, "ledger.sqlite")
    shiplog("init", "--db", db, "--config", os.path.join(directory, "shiplog.yml"))
    batch = 10_000
    for start in range(0, args.restore_events, batch):
        lines = "".join(json.dumps({"stream": f"build-{n % 1000}", "type": "ImageBuilt",
                                    "data": {"app": "api", "image": "i", "tag": f"t{n}", "digest": f"sha256:{n}"}}) + "\n"
                        for n in range(start, min(start + batch, args.restore_events)))
        subprocess.run([args.shiplog, "events", "append", "--db", db, "--actor", "bench"], env=env, input=lines, text=True,
                       check=True, stdout=subprocess.DEVNULL)
    url = replica(bucket(), "ledger")
    process, port = serve(db, url)
    time.sleep(5)
    process.send_signal(signal.SIGTERM)
    process.wait()
    restored = os.path.join(directory, "restored.sqlite")
    started = time.time()
    subprocess.run([args.shiplog, "restore", "--from", url, "--to", restored], env=env, check=True, capture_output=True)
    elapsed = time.time() - started
    size = os.path.getsize(db) / 1e6
    print(f"| `shiplog restore` of a {args.restore_events:,}-event ledger ({size:,.0f} MB) from moto's S3 on loopback, "
          f"verification included | {elapsed:.1f} s | — | — | — | — |")


os.makedirs(args.work, exist_ok=True)
rpo()
restore_time()
