// Command tlog-check verifies a log served as C2SP tlog-tiles with the Go project's own
// transparency-log code (golang.org/x/mod/sumdb/tlog and sumdb/note), which shiplog did not
// write: the checkpoint's signature, every tile against the entries, the tree hash the tiles give
// against the checkpoint's root, sampled inclusion proofs and, given the checkpoint of an earlier
// run, that the log only grew.
//
//	tlog-check -url http://127.0.0.1:8080/tlog -vkey shiplog.pub -state state.txt
//
// Each run checks the served checkpoint, then keeps it in -state; a later run checks its own
// checkpoint against the one kept. Exits 1 with a message at the first thing that does not hold.
package main

import (
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

func main() {
	base := flag.String("url", "", "the log's prefix, e.g. http://127.0.0.1:8080/tlog")
	vkeyFile := flag.String("vkey", "", "the verifier key file (<name>+<id>+<key>)")
	state := flag.String("state", "", "a file keeping the checkpoint of the previous run (size and root)")
	samples := flag.Int("samples", 16, "how many inclusion proofs to check besides the first and last entry")
	flag.Parse()
	if *base == "" || *vkeyFile == "" {
		fail("usage: tlog-check -url URL -vkey FILE [-state FILE] [-samples N]")
	}
	vkey, err := os.ReadFile(*vkeyFile)
	check(err, "reading the verifier key")
	verifier, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	check(err, "the verifier key")

	// The checkpoint: a signed note by the published key.
	msg, _ := get(*base + "/checkpoint")
	n, err := note.Open(msg, note.VerifierList(verifier))
	check(err, "opening the checkpoint with the verifier key")
	origin, tree := parseCheckpoint(n.Text)
	fmt.Printf("checkpoint: origin %q, size %d, root %s, signature by %s verifies\n", origin, tree.N, tree.Hash, verifier.Name())
	tampered := strings.Replace(string(msg), "\n"+strconv.FormatInt(tree.N, 10)+"\n", "\n"+strconv.FormatInt(tree.N+1, 10)+"\n", 1)
	if _, err := note.Open([]byte(tampered), note.VerifierList(verifier)); err == nil {
		fail("a checkpoint with its size changed still verifies")
	}
	if tree.N == 0 {
		fail("the checkpoint is of an empty log: nothing to check")
	}

	// Every entry, from the entry bundles: the record hashes of the tree, held in memory.
	entries := readEntries(*base, tree.N)
	var stored []tlog.Hash
	mem := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x < 0 || x >= int64(len(stored)) {
				return nil, fmt.Errorf("no stored hash %d", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	for i, entry := range entries {
		hashes, err := tlog.StoredHashes(int64(i), entry, mem)
		check(err, "hashing the entries")
		stored = append(stored, hashes...)
	}
	fromEntries, err := tlog.TreeHash(tree.N, mem)
	check(err, "the tree hash of the entries")
	if fromEntries != tree.Hash {
		fail("the %d entries hash to %s, not the checkpoint's root %s", tree.N, fromEntries, tree.Hash)
	}
	fmt.Printf("entries: %d entry bundles hold %d entries of 32 bytes; their tree hash is the checkpoint's root\n", (tree.N+255)/256, len(entries))

	// Every hash tile, byte for byte as Go's tlog computes it from the entries: the full ones and,
	// at each level's end, a partial tile of every width up to the tree's (NewTiles lists them all;
	// a client that read an older checkpoint asks for the narrower ones).
	reader := &tileReader{base: *base}
	tiles := tlog.NewTiles(height, 0, tree.N)
	full := 0
	for _, t := range tiles {
		want, err := tlog.ReadTileData(t, mem)
		check(err, "computing "+t.Path())
		got, cacheControl := get(*base + "/" + c2spPath(t))
		if string(got) != string(want) {
			fail("%s: the served tile (%d bytes) is not the one the entries give (%d bytes)", c2spPath(t), len(got), len(want))
		}
		immutable := strings.Contains(cacheControl, "immutable")
		if t.W == 1<<height {
			full++
		}
		if immutable != (t.W == 1<<height) {
			fail("%s: Cache-Control %q (full tiles are immutable, partial ones are not)", c2spPath(t), cacheControl)
		}
	}
	fmt.Printf("tiles: %d hash tiles (%d full, %d partial) match, full ones immutable\n", len(tiles), full, len(tiles)-full)

	// The tree hash from the served tiles alone, authenticated by TileHashReader.
	hashes := tlog.TileHashReader(tree, reader)
	fromTiles, err := tlog.TreeHash(tree.N, hashes)
	check(err, "the tree hash from the tiles")
	if fromTiles != tree.Hash {
		fail("the tiles give the root %s, not the checkpoint's %s", fromTiles, tree.Hash)
	}
	fmt.Printf("tree hash: TileHashReader + TreeHash over the served tiles give the checkpoint's root (%d tile reads)\n", reader.reads)

	// Inclusion proofs from the tiles for sampled entries.
	random := rand.New(rand.NewSource(tree.N))
	indexes := []int64{0, tree.N - 1}
	for i := 0; i < *samples; i++ {
		indexes = append(indexes, random.Int63n(tree.N))
	}
	for _, i := range indexes {
		proof, err := tlog.ProveRecord(tree.N, i, hashes)
		check(err, fmt.Sprintf("proving entry %d", i))
		check(tlog.CheckRecord(proof, tree.N, tree.Hash, i, tlog.RecordHash(entries[i])), fmt.Sprintf("the inclusion proof of entry %d", i))
	}
	fmt.Printf("inclusion: %d proofs (entries 0, %d and %d sampled) check against the root\n", len(indexes), tree.N-1, *samples)

	// The log only grew since the previous run's checkpoint.
	if *state != "" {
		if text, err := os.ReadFile(*state); err == nil {
			var old tlog.Tree
			var oldRoot string
			_, err := fmt.Sscanf(string(text), "%d %s", &old.N, &oldRoot)
			check(err, "reading "+*state)
			old.Hash, err = tlog.ParseHash(oldRoot)
			check(err, "reading "+*state)
			if old.N > tree.N {
				fail("the log shrank: size %d after %d", tree.N, old.N)
			}
			proof, err := tlog.ProveTree(tree.N, old.N, hashes)
			check(err, "proving consistency")
			check(tlog.CheckTree(proof, tree.N, tree.Hash, old.N, old.Hash), fmt.Sprintf("consistency of size %d with size %d", tree.N, old.N))
			fmt.Printf("consistency: the tree of size %d extends the earlier checkpoint of size %d (%d-hash proof checks)\n", tree.N, old.N, len(proof))
		} else if !os.IsNotExist(err) {
			check(err, "reading "+*state)
		}
		check(os.WriteFile(*state, []byte(fmt.Sprintf("%d %s\n", tree.N, tree.Hash)), 0o644), "writing "+*state)
	}
	fmt.Println("ok")
}

// tileReader fetches hash tiles over HTTP. Go's tile paths carry the height ("tile/8/0/005");
// C2SP tlog-tiles fixes it at 8 and leaves it out ("tile/0/005").
type tileReader struct {
	base  string
	reads int
}

func (r *tileReader) Height() int { return height }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		data[i], _ = get(r.base + "/" + c2spPath(t))
		r.reads++
	}
	return data, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func c2spPath(t tlog.Tile) string {
	path := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", height))
	if t.L == -1 {
		path = "entries" + strings.TrimPrefix(path, "data")
	}
	return "tile/" + path
}

// readEntries fetches the entry bundles of a tree of n entries: each entry a big-endian uint16
// length and that many bytes.
func readEntries(base string, n int64) [][]byte {
	var entries [][]byte
	var bundles []tlog.Tile
	for i := int64(0); i < n/(1<<height); i++ {
		bundles = append(bundles, tlog.Tile{H: height, L: -1, N: i, W: 1 << height})
	}
	if rest := int(n % (1 << height)); rest > 0 {
		bundles = append(bundles, tlog.Tile{H: height, L: -1, N: n / (1 << height), W: rest})
	}
	for _, t := range bundles {
		bundle, _ := get(base + "/" + c2spPath(t))
		count := 0
		for len(bundle) > 0 {
			if len(bundle) < 2 {
				fail("%s: a truncated length", c2spPath(t))
			}
			size := int(bundle[0])<<8 | int(bundle[1])
			if size != 32 || len(bundle) < 2+size {
				fail("%s: entry %d is %d bytes, not an event's 32-byte hash", c2spPath(t), count, size)
			}
			entries = append(entries, bundle[2:2+size])
			bundle = bundle[2+size:]
			count++
		}
		if count != t.W {
			fail("%s holds %d entries, not %d", c2spPath(t), count, t.W)
		}
	}
	return entries
}

func parseCheckpoint(text string) (string, tlog.Tree) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 {
		fail("the checkpoint has %d lines, not an origin, a size and a root", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	check(err, "the checkpoint's size")
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		fail("the checkpoint's root %q is not 32 bytes of base64", lines[2])
	}
	var tree tlog.Tree
	tree.N = size
	copy(tree.Hash[:], root)
	return lines[0], tree
}

// get fetches url and returns its body and Cache-Control header; anything but a 200 fails.
func get(url string) ([]byte, string) {
	response, err := http.Get(url)
	check(err, "GET "+url)
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	check(err, "GET "+url)
	if response.StatusCode != http.StatusOK {
		fail("GET %s: %s %s", url, response.Status, body)
	}
	return body, response.Header.Get("Cache-Control")
}

func check(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlog-check: "+format+"\n", args...)
	os.Exit(1)
}
