package idx_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"

	"github.com/descent-ml/descent/data/idx"
)

func Example() {
	// Two 2×2 images of bytes, gzipped like the MNIST files.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	idx.Encode(zw, &idx.Array{Header: idx.Header{Type: idx.Uint8, Dims: []int{2, 2, 2}}, U8: []uint8{0, 1, 2, 3, 4, 5, 6, 7}})
	zw.Close()

	h, _ := idx.ReadHeader(bytes.NewReader(buf.Bytes()))
	fmt.Println("header:", h.Type, h.Dims, h.Len(), "elements")

	a, err := idx.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		panic(err)
	}
	fmt.Println("second image:", a.U8[4:8])

	// A file cut short is refused with a typed error.
	_, err = idx.Decode(bytes.NewReader(buf.Bytes()[:buf.Len()-10]))
	fmt.Println(errors.Is(err, idx.ErrTruncated))
	// Output:
	// header: u8 [2 2 2] 8 elements
	// second image: [4 5 6 7]
	// true
}
