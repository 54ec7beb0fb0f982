package prefetch

import (
	"testing"
	"unsafe"
)

// TestLines runs Lines over lengths and offsets that start and end anywhere in a line,
// the last at the end of a slice: it must ask for each line the bytes span, once, and
// change none of them.
func TestLines(t *testing.T) {
	buf := make([]uint8, 4*LineSize)
	for i := range buf {
		buf[i] = uint8(i)
	}
	Lines(nil)
	Lines(buf[:0])
	for lo := 0; lo < 2*LineSize; lo += 7 {
		for n := 1; lo+n <= len(buf); n += 13 {
			Lines(buf[lo : lo+n])
			a := uintptr(unsafe.Pointer(&buf[lo]))
			want := int((a+uintptr(n)-1)/LineSize - a/LineSize + 1)
			if got := lines(&buf[lo], n); got != want {
				t.Fatalf("bytes %d:%d (address %#x): %d lines asked for, want %d", lo, lo+n, a, got, want)
			}
		}
	}
	Lines(buf[len(buf)-1:])
	for i, v := range buf {
		if v != uint8(i) {
			t.Fatalf("byte %d changed to %d", i, v)
		}
	}
}

// BenchmarkLines reads one byte of every cache line of 128 images of 784 bytes spread over
// 47 MB, as a shuffled MNIST batch's gather does: cold, and after Lines has asked for them
// all.
func BenchmarkLines(b *testing.B) {
	const n, f, batch = 60000, 784, 128
	data := make([]uint8, n*f)
	for i := range data {
		data[i] = uint8(i)
	}
	idx := make([]int, batch)
	next := 0
	pick := func() {
		for j := range idx {
			next = (next + 7919) % n
			idx[j] = next
		}
	}
	read := func() (s uint8) {
		for _, i := range idx {
			img := data[i*f : (i+1)*f]
			for k := 0; k < f; k += LineSize {
				s += img[k]
			}
		}
		return s
	}
	var sink uint8
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			pick()
			sink += read()
		}
	})
	b.Run("prefetched", func(b *testing.B) {
		for b.Loop() {
			pick()
			for _, i := range idx {
				Lines(data[i*f : (i+1)*f])
			}
			sink += read()
		}
	})
	_ = sink
}
