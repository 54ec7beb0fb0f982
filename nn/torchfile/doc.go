// Package torchfile reads a state_dict that PyTorch saved with
// torch.save(model.state_dict(), PATH), so that descent can start from a PyTorch model's
// weights:
//
//	ts, err := torchfile.ReadFile("init.pt")
//	err = nn.LoadStateDict(m, ts, true)
//
// # Formats
//
// torch.save writes, since PyTorch 1.6, a zip archive: ARCHIVE/data.pkl is the pickled
// state_dict (an OrderedDict of names to tensors), each tensor pickled as
// torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
// backward_hooks), each storage a persistent id ('storage', torch.FloatStorage, KEY,
// location, element count) whose bytes are the record ARCHIVE/data/KEY, little-endian.
// The legacy format (_use_new_zipfile_serialization=False, and PyTorch before 1.6) is a
// sequence of pickles (magic number, protocol 1001, system description, state_dict,
// storage keys) followed by the storages, each after its element count; [Read] accepts it
// too. Both are checked against files written by PyTorch 1.13 (testdata's
// torch_roundtrip.py). TorchScript archives (torch.jit.save), whole pickled modules
// (torch.save(model)) and checkpoint dicts that hold a state_dict among other things are
// refused, each with an error that says so.
//
// # Tensors
//
// The tensors come in the dict's order, named by its keys. A tensor's view of its storage
// is applied as PyTorch does: any storage offset and strides (transposed and sliced tensors,
// tensors sharing a storage), each element copied; the tensors returned share no memory.
// FloatStorage is read as it is; DoubleStorage, HalfStorage and BFloat16Storage converted to
// float32 (float64 rounded to nearest, a finite value beyond float32's range refused);
// LongStorage (num_batches_tracked) exactly or refused, the tensor marked
// [nn.NamedTensor].Int64. The other storages (integers of 32 bits and fewer, bool) are
// refused, naming the tensor.
//
// # The pickle, and hostile files
//
// The pickles are run by github.com/nlpodyssey/gopickle's unpickler (the maintained pickle
// virtual machine for Go; its pytorch package is not used, see below), with a class
// resolver that knows the tensor and parameter builders and the storage classes, and
// refuses every other global: no object of the file's choosing is built, and nothing runs.
//
// Before a pickle runs, it is scanned opcode by opcode (as Python's pickletools walks one),
// to check that every argument, and every length an argument announces, lies within the
// pickle: the unpickler allocates a string or a frame at the length the opcode claims, and
// a claim of 2⁴⁰ bytes would end the process. A panic inside the unpickler is recovered and
// reported as an error. A zip record must be stored uncompressed, as torch.save stores
// them, so that its size is known before it is read; data.pkl may hold at most [MaxPickle]
// bytes; a storage's record must hold exactly its element count times its element size;
// every view must lie within its storage; and all the tensors together may hold at most as
// many elements as the file has bytes, which refuses views that repeat a small storage
// (expand) into a large allocation. Errors are *[nn.WeightsError] naming the file
// ([ReadFile]) and the tensor, if any.
//
// gopickle's own pytorch.Load is not used because it allocates each storage at the size
// the pickle claims before looking at the archive, reads records with single Read calls
// that may return fewer bytes, panics on some legacy files, takes only a file name, and
// returns its own tensor type.
package torchfile
