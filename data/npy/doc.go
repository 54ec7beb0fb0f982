// Package npy decodes and encodes NumPy's .npy files and reads .npz archives of them: the
// arrays a Python user saves with numpy.save, numpy.savez and numpy.savez_compressed.
//
// # Format
//
// An .npy file starts with the magic bytes "\x93NUMPY", a version (1.0, 2.0 or 3.0) and
// the length of a header: a Python dict literal with the keys 'descr' (the element type,
// e.g. '<f8'), 'fortran_order' and 'shape'. The elements follow, in C order (the last
// index fastest) or, when fortran_order is True, in Fortran order. An .npz archive is a
// zip of .npy files, one per array, named after the array.
//
// The decoder reads the numeric dtypes ([Dtype]): bool, int8 to int64, uint8 to uint64,
// float32 and float64, little- or big-endian, in either order; an [Array] always holds
// its elements little-endian in C order, converted if the file was not. It refuses
// strings, complex numbers, float16, dates, records and pickled objects with [ErrDtype],
// naming the descr. [Encode] writes what numpy.save writes, byte for byte.
//
// # Safety
//
// A header is read only up to [MaxHeader] bytes (NumPy's own limit) and checked before
// anything is allocated for the data: the size of the data must fit in an int
// ([ErrOverflow]); when the length of the input is known (a file, a [bytes.Reader], an
// .npz member's declared size) the data must match it exactly ([ErrTruncated],
// [ErrTrailing]). Otherwise the data buffer grows only as real bytes arrive. Every error
// about the data is a [*FormatError] that matches one of the sentinel errors with
// [errors.Is]; [ReadFile] and [ReadNPZ] put the file's name in front, and the .npz
// decoder the member's.
//
// This package and not codeberg.org/sbinet/npyio: npyio (BSD-3) reads the same dtypes,
// but it allocates what a header declares before reading the data, parses the header by
// the position of its keys, and can panic on a damaged one.
package npy
