package problem

import "fmt"

// MNISTPixels is the number of pixels of an MNIST image (28×28), the d of the MNIST
// problems.
const MNISTPixels = 784

// MNISTEvenOdd returns the L2-regularised logistic regression that tells even digits
// (y = +1) from odd ones (y = −1) on MNIST images: n images of 784 pixels in images
// (row-major bytes, kept, not copied), features x = pixels/255, no intercept, weight λ.
// It is the problem of the SciPy reference bench/scipy_lbfgs.py.
func MNISTEvenOdd(images, labels []uint8, lambda float64) *Logistic {
	n := checkMNIST(images, labels)
	y := make([]float64, n)
	for i, l := range labels {
		y[i] = -1
		if l%2 == 0 {
			y[i] = 1
		}
	}
	return NewLogisticBytes(images, n, MNISTPixels, 1.0/255, y, lambda)
}

// MNISTMultinomial returns the L2-regularised multinomial logistic regression of the
// ten digits on MNIST images (as for [MNISTEvenOdd]): 7840 weights, class by class.
func MNISTMultinomial(images, labels []uint8, lambda float64) *Multinomial {
	n := checkMNIST(images, labels)
	c := make([]int, n)
	for i, l := range labels {
		c[i] = int(l)
	}
	return NewMultinomialBytes(images, n, MNISTPixels, 1.0/255, c, 10, lambda)
}

func checkMNIST(images, labels []uint8) int {
	n := len(labels)
	if len(images) != n*MNISTPixels {
		panic(fmt.Sprintf("problem: MNIST: %d bytes of images for %d labels, want %d", len(images), n, n*MNISTPixels))
	}
	for i, l := range labels {
		if l > 9 {
			panic(fmt.Sprintf("problem: MNIST: label[%d] = %d is not a digit", i, l))
		}
	}
	return n
}
