"""The judges' weights as a fingerprint: sha256 of every trained judge's state dict, and its held-out
accuracy. Two runs of this script on two versions of the code print the same hashes exactly when the
two versions train bit-identical judges (same torch build and thread count).

Prints one JSON line per judge; the cache is neither read nor written. Run (one benchmark at a time):
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/judge_hashes.py [digits8 shapes32 ...]
"""
import hashlib
import json
import sys
import time

from genimg_edu.metrics import train_judge

JUDGES = [("digits", 8), ("digits", 16), ("digits", 28), ("digits", 32), ("shapes", 16), ("shapes", 32)]


def weights_sha256(net) -> str:
    digest = hashlib.sha256()
    for name, value in sorted(net.state_dict().items()):
        digest.update(name.encode())
        digest.update(value.contiguous().numpy().tobytes())
    return digest.hexdigest()


def main(wanted):
    for kind, size in JUDGES:
        if wanted and f"{kind}{size}" not in wanted:
            continue
        start = time.process_time()
        judge = train_judge(kind, size=size)
        print(json.dumps({"kind": kind, "size": size, "sha256": weights_sha256(judge.net),
                          "test_accuracy": judge.test_accuracy,
                          "cpu_seconds": round(time.process_time() - start, 1)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
