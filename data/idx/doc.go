// Package idx decodes and encodes IDX files, the format of the MNIST and Fashion-MNIST
// databases: a big-endian header (magic number, element type, dimension sizes) followed by
// the elements in row-major order.
//
// # Format
//
// An IDX file starts with four bytes: two zeros, the element [Type] and the number of
// dimensions. Then come the size of each dimension as big-endian uint32, then the
// elements, big-endian, the last dimension varying fastest. The element types are
// unsigned and signed bytes, int16, int32, float32 and float64. Files are often gzipped;
// [Decode] and [ReadFile] recognise gzip by its magic bytes, not by the file name.
//
// # Safety
//
// A file's header is checked before anything is allocated for its payload: the product of
// the dimensions must fit in an int ([ErrOverflow]); when the length of the input is known
// (a raw file, a [bytes.Reader]) the payload must match it exactly ([ErrTruncated],
// [ErrTrailing]). The payload is then read into one buffer of its size. A gzip stream's
// payload is too when the stream could inflate to it (deflate yields at most 1032 bytes
// per byte of input); otherwise, and whenever the length of the input is not known, the
// buffer grows only as real bytes arrive. So a forged header cannot make the decoder
// allocate more than 1032 times the size of a gzip input, or twice what a stream of
// unknown length really holds. Every error about the data is a [*FormatError] that
// matches one of the sentinel errors with [errors.Is].
//
// # Use
//
// [ReadHeader] reads only the header. [Decode] reads a whole array, whose elements land in
// the one slice of [Array] that matches its type (U8 for MNIST's images and labels, which
// are kept without a copy); [DecodeBytes] decodes an array already in memory, and keeps a
// raw file's U8 elements in place. [Encode] writes an array back.
package idx
