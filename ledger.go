package originsim

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// LedgerFormat is the version of the ledger table's layout: 2 added
// deletes (soft or hard).
const LedgerFormat = 2

// ledgerTable is the table originsim owns in the shop schema: one row per
// step applied (day 0 is the baseline). It is written in the same
// transaction as the data, so it always tells the day the data is at. It
// holds no wall-clock time, so two runs leave identical databases.
var ledgerTable = &model.Table{
	ID: -1, System: model.Shop, Name: model.LedgerTable,
	Description: "originsim's record of what it made and the day the data is at.",
	Columns: []model.Column{
		{Name: "day", Kind: model.Int},
		{Name: "operation", Kind: model.Text, Size: 20},
		{Name: "tool_version", Kind: model.Text, Size: 40},
		{Name: "ledger_format", Kind: model.Int},
		{Name: "data_version", Kind: model.Int},
		{Name: "seed", Kind: model.Text, Size: 20},
		{Name: "scale", Kind: model.Int},
		{Name: "start_date", Kind: model.Date},
		{Name: "crm_schema", Kind: model.Text, Size: model.MaxSchemaName},
		// NULL in rows written before format 2: soft.
		{Name: "deletes", Kind: model.Text, Size: 4, Nullable: true},
	},
}

// LedgerTable is the ledger's table, in the shop schema.
func LedgerTable() *model.Table { return ledgerTable }

// ledgerV1 is the layout of ledger format 1, without deletes.
var ledgerV1 = &model.Table{ID: -1, System: model.Shop, Name: model.LedgerTable, Columns: ledgerTable.Columns[:9]}

// Ledger is the last ledger row: what the data is.
type Ledger struct {
	Day          int        `json:"day"`
	Operation    string     `json:"operation"`
	ToolVersion  string     `json:"tool_version"`
	LedgerFormat int        `json:"ledger_format"`
	DataVersion  int        `json:"data_version"`
	Config       gen.Config `json:"-"`
	CRMSchema    string     `json:"crm_schema"`
	// Deletes is soft or hard (see gen.Config.HardDeletes).
	Deletes string `json:"deletes"`
	// v1 marks a ledger table of format 1, which needs the deletes column
	// before this version writes to it.
	v1 bool
}

func deletesName(hard bool) string {
	if hard {
		return "hard"
	}
	return "soft"
}

// Row is the ledger row, in the columns of LedgerTable.
func (l *Ledger) Row() []any {
	return []any{int64(l.Day), l.Operation, l.ToolVersion, int64(l.LedgerFormat), int64(l.DataVersion),
		strconv.FormatUint(l.Config.Seed, 10), int64(l.Config.Scale), l.Config.Start, l.CRMSchema, l.Deletes}
}

// NewLedger is the ledger row of a step: day (0 for the baseline), the
// operation that made it, the generator configuration and the CRM schema.
func NewLedger(day int, op string, cfg gen.Config, crm string) *Ledger {
	return &Ledger{Day: day, Operation: op, ToolVersion: Version, LedgerFormat: LedgerFormat, DataVersion: gen.Version, Config: cfg, CRMSchema: crm,
		Deletes: deletesName(cfg.HardDeletes)}
}

// readLedger returns the last ledger row, or nil when there is none.
func readLedger(ctx context.Context, tx driver.Tx, d driver.Dialect, shop string) (*Ledger, error) {
	var last *Ledger
	table, v1 := ledgerTable, false
	var hasDeletes bool
	err := tx.Query(ctx, d.ListColumns(shop, model.LedgerTable), []model.Kind{model.Text}, func(v []any) error {
		hasDeletes = hasDeletes || v[0] == "deletes"
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read ledger %s.%s: %w", shop, model.LedgerTable, err)
	}
	if !hasDeletes {
		table, v1 = ledgerV1, true
	}
	err = tx.Query(ctx, d.Select(shop, table), driver.Kinds(table), func(v []any) error {
		seed, err := strconv.ParseUint(v[5].(string), 10, 64)
		if err != nil {
			return fmt.Errorf("ledger: bad seed %q", v[5])
		}
		start, _ := v[7].(time.Time)
		last = &Ledger{Day: int(v[0].(int64)), Operation: v[1].(string), ToolVersion: v[2].(string),
			LedgerFormat: int(v[3].(int64)), DataVersion: int(v[4].(int64)),
			Config: gen.Config{Seed: seed, Scale: int(v[6].(int64)), Start: start}, CRMSchema: v[8].(string), Deletes: "soft", v1: v1}
		if len(v) > 9 && v[9] != nil {
			switch v[9] {
			case "soft":
			case "hard":
				last.Deletes, last.Config.HardDeletes = "hard", true
			default:
				return fmt.Errorf("ledger: unknown deletes %q", v[9])
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read ledger %s.%s: %w", shop, model.LedgerTable, err)
	}
	return last, nil
}

// compatible refuses a ledger written by a newer tool: its data may not be
// what this version generates.
func (l *Ledger) compatible() error {
	if l.LedgerFormat > LedgerFormat || l.DataVersion != gen.Version {
		return stateErr("the database was made by originsim %s (ledger format %d, data version %d); this is originsim %s (ledger format %d, data version %d): use that version, or %s with this one",
			l.ToolVersion, l.LedgerFormat, l.DataVersion, Version, LedgerFormat, gen.Version, TermReset)
	}
	return nil
}

// upgrade adds the deletes column to a ledger table of format 1, in the
// transaction that writes the next row.
func (l *Ledger) upgrade(ctx context.Context, tx driver.Tx, d driver.Dialect, shop string) error {
	if !l.v1 {
		return nil
	}
	c := ledgerTable.Columns[9]
	return tx.Exec(ctx, fmt.Sprintf("ALTER TABLE %s ADD %s %s NULL", d.Table(shop, model.LedgerTable), d.Quote(c.Name), d.ColumnType(c)))
}
