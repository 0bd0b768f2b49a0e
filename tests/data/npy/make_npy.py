#!/usr/bin/python3
"""Writes the .npy files tests/unit/test_npy.cpp reads, with numpy itself (python3-numpy).

Run from this directory: /usr/bin/python3 make_npy.py. The files are committed; the tests do not
need numpy. Values are small and exact so that the test can state every element.
"""
import numpy as np
import numpy.lib.format as fmt

np.save("int8_2x3.npy", np.array([[-128, -1, 0], [1, 2, 127]], dtype=np.int8))
np.save("uint8_4.npy", np.array([0, 1, 128, 255], dtype=np.uint8))
np.save("int16_be_2x2.npy", np.array([[-300, 2], [3, 32767]], dtype=">i2"))
np.save("int32_fortran_2x3.npy", np.asfortranarray(np.array([[1, 2, 3], [4, 5, -6]], dtype=np.int32)))
np.save("int64_scalar.npy", np.array(-5, dtype=np.int64))
np.save("float32_1x2x2x2.npy", (np.arange(8, dtype=np.float32) - 3.5).reshape(1, 2, 2, 2))
np.save("float32_empty_0x3.npy", np.zeros((0, 3), dtype=np.float32))
with open("int16_v2_3.npy", "wb") as f:
    fmt.write_array(f, np.array([7, -8, 9], dtype=np.int16), version=(2, 0))
np.save("float64_2.npy", np.array([1.0, 2.0]))
np.save("bool_2.npy", np.array([True, False]))
with open("float32_1x2x2x2.npy", "rb") as f:
    whole = f.read()
with open("truncated.npy", "wb") as f:
    f.write(whole[:-1])
