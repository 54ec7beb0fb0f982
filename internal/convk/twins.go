package convk

// poolReLU2Go is PoolReLU2's loop.
func poolReLU2Go(y []float32, idx []int32, src []float32, ld, oh, ow int, bias float32) {
	ph, pw := oh/2, ow/2
	for py := range ph {
		r0 := src[2*py*ld : 2*py*ld+2*pw]
		r1 := src[(2*py+1)*ld : (2*py+1)*ld+2*pw]
		yr, ir := y[py*pw:(py+1)*pw], idx[py*pw:(py+1)*pw]
		base := int32(2 * py * ow)
		for px := range yr {
			a := max(r0[2*px]+bias, 0)
			b := max(r0[2*px+1]+bias, 0)
			c := max(r1[2*px]+bias, 0)
			d := max(r1[2*px+1]+bias, 0)
			m := max(max(a, b), max(c, d))
			k := int32(ow + 1)
			if c == m {
				k = int32(ow)
			}
			if b == m {
				k = 1
			}
			if a == m {
				k = 0
			}
			if m != m { // a NaN: the last one, as PyTorch picks it
				switch {
				case d != d:
					k = int32(ow + 1)
				case c != c:
					k = int32(ow)
				case b != b:
					k = 1
				default:
					k = 0
				}
			}
			yr[px], ir[px] = m, base+int32(2*px)+k
		}
	}
}

// unpool2Go is Unpool2's loop.
func unpool2Go(dst []float32, ld int, g, y []float32, idx []int32, oh, ow int) {
	for r := range oh {
		clear(dst[r*ld : r*ld+ow])
	}
	pw := ow / 2
	for w, i := range idx[:len(g)] {
		py, px := w/pw, w%pw
		k := int(i) - 2*py*ow - 2*px // the position in the window: 0, 1, ow or ow+1
		if y[w] > 0 && (k == 0 || k == 1 || k == ow || k == ow+1) {
			dst[(2*py+k/ow)*ld+2*px+k%ow] = g[w]
		}
	}
}
