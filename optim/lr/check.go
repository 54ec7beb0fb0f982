package lr

import (
	"fmt"
	"math"
)

// The argument checks shared by constructors and by the loading of saved state.

func checkPositiveInt(name, what string, v int) error {
	if v < 1 {
		return fmt.Errorf("lr: %s %s must be at least 1, got %d", name, what, v)
	}
	return nil
}

func checkPositive(name, what string, v float64) error {
	if !(v > 0) || math.IsInf(v, 1) {
		return fmt.Errorf("lr: %s %s must be positive and finite, got %v", name, what, v)
	}
	return nil
}

func checkNonNegative(name, what string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return fmt.Errorf("lr: %s %s must be non-negative and finite, got %v", name, what, v)
	}
	return nil
}

// checkFactor checks that v lies in [lo, 1], or in (lo, 1] when open.
func checkFactor(name, what string, v, lo float64, open bool) error {
	if v > 1 || v < lo || (open && v == lo) || math.IsNaN(v) {
		interval := "[%v, 1]"
		if open {
			interval = "(%v, 1]"
		}
		return fmt.Errorf("lr: %s %s must lie in "+interval+", got %v", name, what, lo, v)
	}
	return nil
}

// checkMilestones checks that milestones are at least min and strictly increasing.
func checkMilestones(name string, milestones []int, min int) error {
	for i, m := range milestones {
		if m < min {
			return fmt.Errorf("lr: %s milestone %d must be at least %d", name, m, min)
		}
		if i > 0 && m <= milestones[i-1] {
			return fmt.Errorf("lr: %s milestones must be increasing, got %d after %d", name, m, milestones[i-1])
		}
	}
	return nil
}
