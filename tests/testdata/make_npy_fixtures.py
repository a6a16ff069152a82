#!/usr/bin/python3
"""Regenerates the .npy fixtures in this folder with numpy.

Run from anywhere: /usr/bin/python3 tests/testdata/make_npy_fixtures.py
The files are committed; runtime/npy_test.cc and tests/runner_cli_test.sh
check their values, so keep the two in sync when changing anything here.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, arr, version=None):
    path = os.path.join(HERE, name)
    if version is None:
        np.save(path, arr)
    else:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, arr, version=version)


# Parsed by runtime/npy_test.cc.
save("np_f32_2x3.npy", (np.arange(6, dtype=np.float32) * 1.5 - 2).reshape(2, 3))
save("np_f64_scalar.npy", np.array(3.25, dtype=np.float64))
save("np_i64_0x4.npy", np.zeros((0, 4), dtype=np.int64))
save("np_bool_5.npy", np.array([True, False, True, True, False]))
save("np_i32_3.npy", np.array([-1, 0, 2147483647], dtype=np.int32))
save("np_f32_v2.npy", np.array([1.0, 2.0], dtype=np.float32), version=(2, 0))
save("np_f32_v3.npy", np.array([[7.0]], dtype=np.float32), version=(3, 0))
save("np_f32_fortran.npy", np.asfortranarray(np.ones((2, 3), dtype=np.float32)))
save("np_f4_bigendian.npy", np.array([1.0, 2.0], dtype=">f4"))
save("np_u1.npy", np.array([1, 2], dtype=np.uint8))

# Inputs of tests/runner_cli_test.sh.
save("add_x.npy", np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
save("add_y.npy", np.array([10, 20, 30], dtype=np.float32))
save("add_x_bad_shape.npy", np.zeros((2, 4), dtype=np.float32))
save("add_x_f64.npy", np.zeros((2, 3), dtype=np.float64))
save("matmul_a.npy", np.array([[1, 0], [0, 1], [2, 3]], dtype=np.float32))
save("big_x.npy", np.arange(75, dtype=np.float32).reshape(25, 3))
