package tlog

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"golang.org/x/mod/sumdb/note"
)

// The signing key lives in the data directory, never in the database: a
// copy of the database (a backup, a replica, an administrator's dump) must
// not be able to sign checkpoints.
const (
	keyFile        = "log.key"        // the note signer key, mode 0600
	checkpointFile = "log.checkpoint" // the newest checkpoint this node signed
)

// KeyPath returns where the log's signing key is kept in data dir dir.
func KeyPath(dir string) string { return filepath.Join(dir, keyFile) }

// CheckpointPath returns where the newest checkpoint signed by this node
// is kept in data dir dir. It lives beside the key, outside the database,
// so that a database restored from an older backup is noticed.
func CheckpointPath(dir string) string { return filepath.Join(dir, checkpointFile) }

// ValidOrigin checks that origin can name a log: C2SP asks for a
// schema-less URL without spaces or '+', and the signed note format
// requires a name without spaces or '+'.
func ValidOrigin(origin string) error {
	if origin == "" {
		return errors.New("log origin is empty")
	}
	if strings.Contains(origin, "://") {
		return fmt.Errorf("log origin %q must not have a scheme: write it like example.org/log", origin)
	}
	for _, r := range origin {
		if r == '+' || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return fmt.Errorf("log origin %q must not contain spaces or '+'", origin)
		}
	}
	return nil
}

// Key is the log's Ed25519 signing key.
type Key struct {
	Signer   note.Signer
	Verifier note.Verifier
	// VKey is the public verifier key in signed-note form
	// (origin+hash+base64), what auditors pin.
	VKey string
}

// LoadOrCreateKey reads the signing key from data dir dir, creating it for
// origin if there is none yet. An existing key made for another origin is
// refused: checkpoints of one log must all carry one name.
func LoadOrCreateKey(dir, origin string) (*Key, error) {
	if err := ValidOrigin(origin); err != nil {
		return nil, err
	}
	k, err := LoadKey(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		skey, _, gerr := note.GenerateKey(rand.Reader, origin)
		if gerr != nil {
			return nil, fmt.Errorf("generate log key: %w", gerr)
		}
		if err := writeFileSync(KeyPath(dir), []byte(skey+"\n"), 0o600, true); err != nil {
			if !errors.Is(err, fs.ErrExist) {
				return nil, fmt.Errorf("save log key: %w", err)
			}
			// Another process made it first: use theirs.
		}
		k, err = LoadKey(dir)
	}
	if err != nil {
		return nil, err
	}
	if k.Signer.Name() != origin {
		return nil, fmt.Errorf("the log key in %s is for origin %q, not %q: a log keeps one name for life", KeyPath(dir), k.Signer.Name(), origin)
	}
	return k, nil
}

// LoadKey reads the signing key from data dir dir.
func LoadKey(dir string) (*Key, error) {
	path := KeyPath(dir)
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("log key %s is readable by others (mode %v): run chmod 600 on it", path, st.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	skey := strings.TrimSpace(string(raw))
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("log key %s: %w", path, err)
	}
	vkey, err := verifierKey(skey)
	if err != nil {
		return nil, fmt.Errorf("log key %s: %w", path, err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("log key %s: %w", path, err)
	}
	return &Key{Signer: signer, Verifier: verifier, VKey: vkey}, nil
}

// verifierKey derives the public verifier key from a signer key of the
// form PRIVATE+KEY+name+hash+base64(0x01 || ed25519 seed).
func verifierKey(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return "", errors.New("malformed signer key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("signer key is not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// writeFileSync writes data to path durably: through a temporary file,
// fsync and rename, then fsync of the directory. With exclusive it fails
// with fs.ErrExist instead of replacing a file.
func writeFileSync(path string, data []byte, perm os.FileMode, exclusive bool) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if exclusive {
		// A hard link fails if path exists, which a rename would not.
		if err := os.Link(tmp.Name(), path); err != nil {
			return err
		}
	} else if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// StaleTempAge is how old a temporary file must be before a start removes
// it as left behind by a crash. It is long because another process sharing
// the data directory may be writing a fresh one.
const StaleTempAge = 24 * time.Hour

// removeStaleTemps removes the temporary files writeFileSync leaves in
// dir when the process dies between creating and renaming them, if they
// were last written before before. It returns how many it removed.
func removeStaleTemps(dir string, before time.Time) int {
	n := 0
	for _, base := range []string{keyFile, checkpointFile} {
		paths, _ := filepath.Glob(filepath.Join(dir, "."+base+".*"))
		for _, p := range paths {
			if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(before) && os.Remove(p) == nil {
				n++
			}
		}
	}
	return n
}
