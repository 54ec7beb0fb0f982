//go:build !noasm

package convk

import "github.com/descent-ml/descent/internal/cpu"

// useAVX512 selects Conv3x3One's kernel.
var useAVX512 = cpu.Enabled().AVX512F

// conv3x3OneAVX512 is Conv3x3One's kernel: groups groups of 8 filters, outputs oh×ow, input
// rows w apart, biases c (one a filter, always added), the rectifier with relu ≠ 0.
//
//go:noescape
func conv3x3OneAVX512(y, x, wt, c *float32, groups, oh, ow, w, relu int)

// conv3x3OneGradAVX512 is Conv3x3OneGrad's kernel: pairs pairs of filters, outputs oh×ow,
// input rows w apart.
//
//go:noescape
func conv3x3OneGradAVX512(dw, dy, x *float32, pairs, oh, ow, w int)
