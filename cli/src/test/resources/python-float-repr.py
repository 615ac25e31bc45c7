# Writes python-float-repr.txt, PythonFloatTest's oracle: doubles (IEEE bits in hex) and Python's repr of each.
# Run from this folder: /usr/bin/python3 python-float-repr.py > python-float-repr.txt
import random
import struct
import sys

random.seed(2026)
values = [0.0, -0.0, float('nan'), float('inf'), float('-inf'), 1e-4, 1e-5, 9.999999999999999e-05,
          0.00010000000000000002, 1e15, 1e16, 9999999999999998.0, 1e16 + 2, 123.0, 0.1, 5e-324,
          1.7976931348623157e308, 2.2250738585072014e-308, 0.6931471805599453, 7.37682811505179e-4, 1.0, -1.0,
          100.0, 1e22, 1e23, 0.5, -2.5e-7, 1234567890123456.7, 12345678901234567.0]
for i in range(3000):
    if i % 3 == 0:    # any bit pattern
        v = struct.unpack('<d', struct.pack('<Q', random.getrandbits(64)))[0]
    elif i % 3 == 1:  # decimal magnitudes around the positional/exponent boundaries
        v = random.uniform(-1, 1) * 10 ** random.randint(-8, 18)
    else:             # float32 values, as a float loss widened to double
        v = struct.unpack('<f', struct.pack('<f', random.uniform(0, 3) * 10 ** random.randint(-6, 6)))[0]
    values.append(v)
print("# IEEE bits (hex) and the repr of Python %s, written by python-float-repr.py" % sys.version.split()[0])
for v in values:
    print("%016x %r" % (struct.unpack('<Q', struct.pack('<d', v))[0], v))
