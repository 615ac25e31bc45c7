# Writes numpy-float32-str.txt, PythonFloatTest's oracle for floats: float32 values (IEEE bits in hex) and numpy's
# str of each, the shortest digits that read back to the same float32 in Python's layout.
# Run from this folder: /usr/bin/python3 numpy-float32-str.py > numpy-float32-str.txt
import random
import struct
import sys

import numpy as np

random.seed(2026)
values = [0.0, -0.0, float('nan'), float('inf'), float('-inf'), 1e-4, 1e-5, 1e-7, 4e-7, 1e16, 1e15, 0.1, 0.5,
          1.0, -1.0, 1.4e-45, 3.4028234663852886e38, 1.1754943508222875e-38, 0.8807970779778823, 2.0, 123456789.0,
          16777217.0, 0.119202922]
for i in range(3000):
    if i % 2 == 0:    # any bit pattern
        v = struct.unpack('<f', struct.pack('<I', random.getrandbits(32)))[0]
    else:             # decimal magnitudes around the positional/exponent boundaries
        v = random.uniform(-1, 1) * 10 ** random.randint(-9, 18)
    values.append(v)
print("# float32 IEEE bits (hex) and numpy %s's str(np.float32(v)), written by numpy-float32-str.py" % np.__version__)
for v in values:
    f = np.float32(v)
    print("%08x %s" % (struct.unpack('<I', struct.pack('<f', f))[0], str(f)))
