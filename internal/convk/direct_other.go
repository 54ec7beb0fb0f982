//go:build noasm || !amd64

package convk

// useAVX512 is false: Conv3x3One has no kernel here.
const useAVX512 = false

func conv3x3OneAVX512(y, x, wt, c *float32, groups, oh, ow, w, relu int) {}

func conv3x3OneGradAVX512(dw, dy, x *float32, pairs, oh, ow, w int) {}
