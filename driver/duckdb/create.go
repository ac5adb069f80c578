package duckdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/originsim/originsim/driver"
)

// A file DuckDB creates is not a database until DuckDB has written its
// headers, a moment later: a process killed in between (a load killed in
// its first milliseconds) left a file DuckDB refuses, "not a valid DuckDB
// database file", that the user had to delete. So originsim makes a new
// file in its staging folder and links it into place complete: a kill at
// any instant leaves no file, or an empty database.

// fileKind is what is at a duckdb: path before it is opened.
type fileKind int

const (
	noFile     fileKind = iota
	unfinished          // a DuckDB file cut short before its headers were written: it holds nothing
	duckFile            // a DuckDB database, or something only DuckDB can judge
	sqliteFile
	otherFile
)

// sqliteHeader starts every SQLite database. DuckDB would open one through
// its sqlite extension, which it downloads: originsim refuses it first.
const sqliteHeader = "SQLite format 3\x00"

// kindOf looks at the first bytes of the file at path. DuckDB's main header
// holds "DUCK" at offset 8; a file of no more than the three headers that
// DuckDB had begun to write (or empty) is unfinished.
func kindOf(path string) (fileKind, int64) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return noFile, 0
	}
	if err != nil {
		return duckFile, 0 // DuckDB says what is wrong
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return duckFile, 0
	}
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return duckFile, fi.Size()
	}
	head = head[:n]
	switch {
	case fi.Size() == 0:
		return unfinished, 0
	case bytes.HasPrefix(head, []byte(sqliteHeader)):
		return sqliteFile, fi.Size()
	case n < 12 || string(head[8:12]) != "DUCK":
		return otherFile, fi.Size()
	case fi.Size() < newFileSize:
		return unfinished, fi.Size()
	}
	return duckFile, fi.Size()
}

// creating keeps two Targets of this process from making the same file at
// once.
var creating sync.Mutex

// create makes the file at path an empty DuckDB database in one step: the
// database is made in the staging folder and linked to path, or renamed
// over an unfinished file there. When the staging folder's name is someone
// else's, it does nothing and DuckDB makes the file in place.
func create(ctx context.Context, path, query string, replace bool) error {
	creating.Lock()
	defer creating.Unlock()
	if k, _ := kindOf(path); k != noFile && k != unfinished {
		return nil // made meanwhile
	}
	s, err := claimStage(path, true)
	if err != nil || s == nil {
		return err
	}
	crashPoint("create-stage")
	h, err := connect(ctx, s.db()+"?"+query)
	if err == nil {
		err = h.close()
	}
	if err != nil {
		return errors.Join(openErr(path, err), s.remove())
	}
	crashPoint("create-file")
	if replace {
		err = os.Rename(s.db(), path)
	} else if err = os.Link(s.db(), path); errors.Is(err, fs.ErrExist) {
		err = nil // another process made it meanwhile: that one is opened
	} else if err != nil {
		// A file system without hard links: a rename, which would replace
		// a file made since the check above.
		if _, statErr := os.Lstat(path); errors.Is(statErr, fs.ErrNotExist) {
			err = os.Rename(s.db(), path)
		}
	}
	if err != nil {
		err = fmt.Errorf("%w to duckdb:%s: make the new file: %v", driver.ErrConnect, path, err)
	}
	crashPoint("create-placed")
	return errors.Join(err, s.remove())
}
