// Package optim holds the stochastic optimisers of machine learning over named float32
// parameters organised in groups, with PyTorch's update rules and defaults (torch.optim of
// PyTorch 1.13, followed operation by operation so that float32 rounding matches: all 53
// reference trajectories of testdata/, 100 steps each, are bit-identical to torch's), and
// the optimisers people compare today, each after a named reference implementation.
//
// # Optimisers
//
// [SGD] (momentum, dampening, Nesterov, weight decay, maximize), [Adagrad], [RMSprop],
// [Adam] (with torch's AMSGrad and the lecture's, see [AMSGrad]), [AdamW], [Adadelta],
// [Adamax], [NAdam], [RAdam], [ASGD], [Rprop] and [LBFGS]. Each type's documentation gives
// its update equations and its paper. SparseAdam is left out: it exists for sparse
// gradients, which parameters here do not have. Adam, NAdam and RAdam also have torch 2.x's
// decoupled_weight_decay option, off by default.
//
// Beyond torch 1.13: [Lion], [Adafactor] (torch 2.5's), [Muon] (torch 2.9's, with AdamW for
// the parameters that are not matrices), [ScheduleFreeAdamW] and [ScheduleFreeSGD] (which
// keep an evaluation point apart: see [ModeSwitcher]), [Prodigy], [LAMB] and [LARS]. Their
// documentation names the repository, file and commit of the implementation they follow;
// float64 NumPy restatements of those (testdata/ref_*.py) wrote the trajectories of
// testdata/numpy_reference.json, which the float32 steps here follow within 1e-5 relative
// (numpy_reference_test.go says how the comparison is done).
//
// # Parameters and groups
//
// A [Param] aliases the value and gradient storage of a model's tensor; the optimiser
// updates Value in place from Grad. Constructors take the first group and a configuration
// (NewAdam(params, DefaultAdam())); AddGroup adds a group with its own configuration,
// which starts from Defaults() as torch's add_param_group fills in the optimiser's defaults.
// A parameter may be in only one group (checked by name and by storage). A nil Grad is
// skipped, as torch skips a None grad. LR, SetLR, NumGroups and ZeroGrad make the
// [Optimizer] interface; the optimisers with a momentum or first moment also implement
// [MomentumOptimizer] (SGD and RMSprop: momentum; Adam, AdamW, Adamax, NAdam, RAdam: β₁),
// which the cycling schedulers of optim/lr use.
//
// # Registry and options
//
// [New] makes an optimiser by name for the command line: [Registry] lists sgd, momentum
// (SGD, momentum 0.9), nesterov, adagrad, rmsprop, adam, amsgrad (torch's), amsgrad-lecture,
// adamw, adadelta, adamax, nadam, radam, asgd, rprop, lbfgs, lion, adafactor, muon,
// schedulefree-adamw, schedulefree-sgd, prodigy, lamb and lars (timm's LARS with momentum
// 0.9 and always_adapt, without which it is plain SGD), each with its keys and defaults.
// Hyper-parameters are [Options] under torch's keyword names, parsed from
// "lr=3e-4,betas=0.9/0.99,weight_decay=0.01" by [ParseOptions]; pairs are written a/b.
// Groups come from [GroupBy] with rules such as "*.bias:weight_decay=0" ([ParseGroupRule]):
//
//	opts, _ := optim.ParseOptions("lr=3e-4,weight_decay=0.01")
//	rule, _ := optim.ParseGroupRule("*.bias:weight_decay=0")
//	groups, _ := optim.GroupBy(params, rule)
//	opt, err := optim.New("adamw", opts, groups...)
//
// An unknown key, a malformed value or an invalid configuration is an error naming the key
// and the group; nothing is built. A few options hold for a whole optimiser because its
// reference reads them once (Prodigy's betas and d0, LAMB's max_grad_norm): a group that
// gives another value is refused.
//
// # Training and evaluation points
//
// The schedule-free methods take gradients at a point y and converge at another, x, the
// average of their iterates. They are [ModeSwitcher]s: a training loop calls Eval before it
// evaluates or saves the model and Train before the next Step (which panics at x, as the
// reference raises). A saved state records which point the parameters held. The training
// loop of package train does so: it evaluates, checkpoints and saves a run at x.
//
// # Errors
//
// Invalid configurations and parameter sets are errors returned by the constructors,
// AddGroup and New, prefixed "optim: NAME:". A gradient with a NaN or infinite element makes
// Step return a [*NonFiniteError] naming the parameter, the element and the step, after
// checking every gradient and before changing anything. Programmer errors (a group index out
// of range, a negative learning rate in SetLR, a gradient whose length changed) panic.
//
// # State files
//
// Every optimiser is [Stateful]: Save writes, and Load reads back, its state keyed by
// parameter name, so that a run resumed from it is bit-identical to an uninterrupted one.
// The format, version 1, little-endian:
//
//	magic    "DESCENT-OPTIM\n"
//	version  uint16 = 1
//	kind     string                      registry name of the optimiser ("adam")
//	groups   uvarint n, then per group: uvarint k, k × (string key, string value)
//	                                     the group's options, as [Options]
//	globals  uvarint n, n × (string name, float64)     "steps", and L-BFGS's scalars
//	params   uvarint n, then per parameter:
//	           string name, uvarint group, uvarint rank, rank × uvarint dimension,
//	           varint step (torch's state["step"]),
//	           uvarint n, n × (string name, float64)    scalars ("mu_product", "eta", …)
//	           uvarint n, n × (string name, uvarint len, len × float32)
//	                                                      buffers under torch's names
//	                                                      ("exp_avg", "momentum_buffer", …)
//	crc32    uint32, IEEE, of everything before
//
// where a string is a uvarint length and bytes. Buffers have the parameter's length, but
// for Adafactor's factored moments (row_var, col_var: the shape with one of its last two
// dimensions set to 1). Optimisers with state of their own beyond the parameters' keep it in
// the globals: the schedule-free methods "k.G", "lr_max.G", "weight_sum.G" for each group G
// and "train_mode"; Prodigy "d", "d_max", "d_numerator" and "k"; Muon "adamw_lr_ratio.G".
// Load checks the magic, version and checksum
// first (a truncated or corrupted file is a [FormatError]), then that the file is of the same
// optimiser, with the same groups, names, shapes and buffers (otherwise a [StateError] naming
// what differs), and only then replaces the options and state: nothing is half-applied.
// L-BFGS stores its flat vectors (direction, previous gradient, curvature pairs) split by
// parameter under "d", "prev_flat_grad", "old_dirs.i" and "old_stps.i".
//
// # Clipping
//
// [ClipGradNorm] and [ClipGradValue] are torch's clip_grad_norm_ and clip_grad_value_,
// called between the backward pass and Step. ClipGradNorm returns the global norm before
// clipping, computed as torch computes it in float32 (bit for bit for norm types 1, 2 and ∞),
// and scales every gradient by maxNorm/(norm + 10⁻⁶) when that is below 1. Both refuse
// non-finite gradients, naming the element, as torch does with error_if_nonfinite=True (and,
// for ClipGradNorm, a norm that overflows float32: [NormOverflowError]); nothing is clipped
// then.
//
// # Speed
//
// Step allocates nothing, makes one fused pass over each parameter's memory after a read-only
// pass that checks the gradients are finite, and splits the elements of all parameters into
// contiguous parts run by up to runtime.GOMAXPROCS(0) goroutines of the worker pool that the
// tensor kernels share (internal/parallel; a part is at least 32768 elements). Each element's
// update depends on that element alone, so the split changes no bit. The element loops of
// every optimiser but ASGD, Rprop, L-BFGS and Adafactor's and Muon's matrices, with all their
// options, and the finite check are in internal/optimk: AVX-512 assembly on amd64 where the
// CPU has it, computing the same bits as their Go twins, which that package's tests check on
// every combination of options; build with -tags noasm for the Go twins alone.
//
// LAMB, LARS, Prodigy and Adafactor's vectors need sums over a parameter (norms, Prodigy's ⟨g, θ₀-θ⟩) before they
// can update it: they sum in the checking pass or in a second pass over the elements, each
// parameter in blocks of 4096 elements at fixed offsets, which the plan never cuts, so the
// sums (float64, ordered as [Prodigy] describes) do not depend on the split either.
// Adafactor's and Muon's matrices, whose steps are not element-wise, run parameter by parameter (Muon's
// products on every core, through internal/gemm). The optimisers that are not torch 1.13's
// report the bytes their step moves per element ([Traffic]); "descent bench optim" measures
// Step.
package optim
