package lr_test

import (
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/lr"
)

// Every optimiser of package optim can be scheduled.
var _ lr.Optimizer = optim.Optimizer(nil)
