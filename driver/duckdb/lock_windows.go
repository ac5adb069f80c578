package duckdb

import (
	"errors"
	"os"
)

func tryLock(*os.File) (bool, error) { return false, errors.ErrUnsupported }

func lockedElsewhere(string) (bool, error) { return false, errors.ErrUnsupported }

// canStage: Windows cannot rename over a file that is open, so a new
// database is written in place.
const canStage = false
