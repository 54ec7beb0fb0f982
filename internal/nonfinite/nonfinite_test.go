package nonfinite

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestError(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{Op: "optim: adam", Param: "fc1.weight", Index: 3, Value: math.NaN(), Step: 12}, "optim: adam: the gradient of fc1.weight[3] is NaN at step 12"},
		{Error{Op: "optim: ClipGradNorm", Param: "b", Index: 0, Value: math.Inf(1)}, "optim: ClipGradNorm: the gradient of b[0] is +Inf"},
		{Error{Op: "lbfgs", Index: -1, Value: math.Inf(-1), Step: 4}, "lbfgs: the objective is -Inf at step 4"},
		{Error{Op: "minimize", Index: 7, Value: math.NaN()}, "minimize: gradient[7] is NaN"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
		err := fmt.Errorf("run: %w", &c.e)
		var nf *Error
		if !errors.Is(err, Err) || !errors.As(err, &nf) || nf.Op != c.e.Op {
			t.Errorf("%v: errors.Is %v, errors.As %v", err, errors.Is(err, Err), errors.As(err, &nf))
		}
	}
	if errors.Is(errors.New("other"), Err) {
		t.Error("another error matches Err")
	}
}
