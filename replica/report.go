// Package replica is the answer key for a pipeline's copy: it compares a
// replica of the two systems (a database another tool filled, or a folder
// of files a lake landed) with the exact content originsim says the source
// holds on a day, and names what differs.
//
// The comparison runs inside an in-memory DuckDB that spills to disk: the
// expected rows are generated into it, the replica's rows are read into it
// (files and DuckDB files in place, a server's tables streamed as text),
// and each table is compared with one set-based query, so memory stays
// flat at any scale. Values are compared by meaning, not by type: decimals
// as exact cents whatever their type, timestamps as UTC at the replica's
// precision, booleans as true/false however spelled, integers stored as
// strings.
//
// This package needs cgo (DuckDB).
package replica

import (
	"github.com/originsim/originsim"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// Layout is how a replica keeps the rows.
type Layout string

// Mirror: one row per key, as the source has it now. Rows deleted in the
// source are absent, or present and marked by a delete column.
const Mirror Layout = "mirror"

// Expected is the state the replica must hold: day Day of the generator
// configuration, in the source's schema names.
type Expected struct {
	Config  gen.Config
	Day     int
	Schemas model.Schemas
}

// Options say where the replica is and how to read it.
type Options struct {
	// Target is a database URL (any registered driver), or the path of a
	// folder of files: DIR/customers.parquet, DIR/customers/*.parquet,
	// Hive-style partition folders, CSV (.csv) or JSON lines (.jsonl,
	// .json, .ndjson).
	Target string
	// Layout is Mirror (the default) or History.
	Layout Layout
	// Granularity is, for History, which versions it must hold: Change
	// (the default) or Day.
	Granularity Granularity
	// NoDuplicates makes copies of a version in a History a difference;
	// without it they are counted apart (at-least-once delivery).
	NoDuplicates bool
	// ShopSchema and CRMSchema are the replica's schemas of the two
	// systems; empty: the source's names. Schema, when set, holds both
	// systems' tables, named by TablePattern.
	ShopSchema, CRMSchema string
	Schema                string
	// TablePattern names a table in the replica: {table} and {schema} (the
	// source's schema) are replaced; empty: "{table}".
	TablePattern string
	// Tables limits the check to these tables (names as the source has
	// them); empty: all eight.
	Tables []string
	// DeletedColumn names the column that marks a row deleted in the source
	// (true, or a timestamp that is set); empty: the known conventions are
	// looked for (_fivetran_deleted, _ab_cdc_deleted_at, _dlt_deleted_at,
	// _dlt_deleted, __deleted, _is_deleted), else a deleted row is absent.
	DeletedColumn string
	// IgnoreColumns are more columns to ignore beside those pipelines add
	// (prefixes _fivetran_, _airbyte_, _ab_, _dlt_, _sdc_, __, and
	// _rescued_data, _metadata).
	IgnoreColumns []string
	// Examples bounds the keys named per kind of difference and table; 0
	// names none (counts only).
	Examples int
	// Strict makes a replica that keeps timestamps at a coarser precision
	// than the source fail instead of warn.
	Strict bool
	// Snapshot says, for SCD2, which history to expect: the snapshot days,
	// the strategy and what hard deletes do.
	Snapshot Snapshot
	// ValidFrom and ValidTo name an SCD2 table's validity columns (with
	// DeletedColumn its deletion flag); empty: dbt's, Databricks' or the
	// generic names are looked for.
	ValidFrom, ValidTo string
	// Progress receives progress events; nil: none.
	Progress func(originsim.Event)
}

// Report is what Check found.
type Report struct {
	Layout      Layout        `json:"layout"`
	Granularity Granularity   `json:"granularity,omitempty"`
	Snapshot    *Snapshot     `json:"snapshot,omitempty"`
	Replica     string        `json:"replica"` // the target, password masked
	Day         int           `json:"day"`
	Date        string        `json:"date"`
	Seed        uint64        `json:"seed"`
	Scale       int           `json:"scale"`
	Tables      []TableReport `json:"tables"`
	// Diagnosis says what the differences look like, where the pattern is
	// clear ("the copy looks one day behind").
	Diagnosis []string `json:"diagnosis,omitempty"`
	OK        bool     `json:"ok"`
}

// TableReport compares one table.
type TableReport struct {
	Table   string `json:"table"`   // schema.table as the source names it
	Replica string `json:"replica"` // where it was read in the replica
	// Expected and Found count rows (Found: rows the replica holds as
	// present, duplicates included; rows marked deleted are not found). In
	// a History, Expected counts versions, and Missing and Extra count
	// versions the replica lacks or has that the source never had.
	Expected   int64 `json:"expected"`
	Found      int64 `json:"found"`
	Missing    int64 `json:"missing"`    // expected keys the replica lacks
	Extra      int64 `json:"extra"`      // keys the replica has that the source has not
	Changed    int64 `json:"changed"`    // keys whose values differ
	Duplicates int64 `json:"duplicates"` // rows beyond the first of a key
	// Custom counts the user's own rows (keys 5000-9999), which the source
	// has beside the simulation's: they are not compared.
	Custom int64 `json:"custom_rows,omitempty"`
	// DeletedBy is the delete convention used: a column, or "absent".
	DeletedBy string    `json:"deleted_by"`
	Examples  []Example `json:"examples,omitempty"`
	// Warnings say what was tolerated (a coarser timestamp precision);
	// Problems why the table could not be compared (not found, a column
	// missing).
	Warnings []string `json:"warnings,omitempty"`
	Problems []string `json:"problems,omitempty"`
	// Violations are the structural rules an SCD2 table breaks.
	Violations []Violation `json:"violations,omitempty"`
	OK         bool        `json:"ok"`
}

// Example is one key that differs.
type Example struct {
	Kind    string       `json:"kind"` // missing, extra, changed, duplicate
	Key     int64        `json:"key"`
	Columns []ColumnDiff `json:"columns,omitempty"` // for changed
}

// ColumnDiff is one column of a changed row.
type ColumnDiff struct {
	Column   string `json:"column"`
	Expected string `json:"expected"`
	Found    string `json:"found"`
}
