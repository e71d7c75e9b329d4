# ruff: noqa  (scratch)
"""Tracked objects one host's facts hold (after gather + checks), by type; a full collection's CPU with them."""
import sys, time, gc, collections



from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify
import pickle
d = pickle.loads(open("perf15/facts-base.pickle", "rb").read())
gc.collect()
before = collections.Counter(type(o).__name__ for o in gc.get_objects())
t = time.process_time(); gc.collect(); base = time.process_time() - t
keep = [pickle.loads(pickle.dumps(d)) for _ in range(8)]
gc.collect()
after = collections.Counter(type(o).__name__ for o in gc.get_objects())
t = time.process_time(); gc.collect(); full = time.process_time() - t
print("full collection: %.4f without, %.4f with 8 hosts' facts" % (base, full))
print((after - before).most_common(8))
