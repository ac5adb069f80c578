package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/sqlscript"
)

func (a *app) sqlCmd() *cobra.Command {
	var g genFlags
	var dialect, out string
	var day int
	var force bool
	names := strings.Join(driver.DialectNames(), ", ")
	cmd := &cobra.Command{
		Use:   "sql --dialect NAME --day N",
		Short: "Print the SQL script of one step, to review it or run it with your own client",
		Long: `Prints the SQL script of one step: day 0 creates both systems (schemas,
tables, keys, the ledger) and loads the baseline; day N plays business day N.
Run by the database's own client it leaves exactly what load-baseline and
apply-delta leave, ledger included, so verify passes and apply-delta
continues from it. No database is needed to write it.

The script of day N expects a database at day N-1 made with the same seed,
scale and start date. It is one transaction whose first write, the ledger
row, fails unless the database is where the step starts, so a script run
twice or out of order writes nothing. MySQL and MariaDB commit around
CREATE statements: their day 0 script creates the tables before the
transaction (a failed run leaves them empty; running it again completes it).

Dialects: ` + names + `. --seed, --start-date, --scale and the schema
flags are those of load-baseline. Same input, same bytes. --out writes the
file whole or not at all (a temporary file renamed at the end) and keeps an
existing one (exit 3) unless --force.`,
		Example: `  originsim sql --dialect postgres --day 0 | psql -v ON_ERROR_STOP=1 -q -X "postgres://user@host:5432/db"
  originsim sql --dialect postgres --day 1 | psql -v ON_ERROR_STOP=1 -q -X "postgres://user@host:5432/db"
  originsim sql --dialect mysql --day 0 | mariadb -h host -u user -p
  originsim sql --dialect duckdb --day 0 --out day0.sql   # then: duckdb demo.duckdb < day0.sql
  originsim sql --dialect duckdb --day 1 --out day1.sql --force   # replace day1.sql
  originsim sql --dialect sqlserver --day 0 > day0.sql   # then: sqlcmd -S host -d db -U user -b -i day0.sql
  originsim sql --dialect postgres --day 1 --shop-schema shop_db --crm-schema crm_db --seed 7 | less`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("dialect") {
				return usageError{fmt.Errorf("which database? give --dialect (one of %s)", names)}
			}
			d, err := driver.DialectByName(dialect)
			if err != nil {
				return usageError{err}
			}
			if !cmd.Flags().Changed("day") {
				return usageError{errors.New("which step? give --day N (0 is the schema and baseline)")}
			}
			if err := gen.CheckDay(day, 0); err != nil {
				return usageError{err}
			}
			cfg, sc, err := a.generator(cmd, &g)
			if err != nil {
				return err
			}
			if out == "" {
				return sqlscript.Write(a.stdout, d, sc, cfg, day)
			}
			return writeOut("--out", out, force, func(w io.Writer) error { return sqlscript.Write(w, d, sc, cfg, day) })
		},
	}
	g.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&dialect, "dialect", "", "the database the script is for: "+names)
	fl.IntVar(&day, "day", 0, fmt.Sprintf("the step: 0 is the schema and baseline, 1 to %d a business day", gen.MaxDay))
	fl.StringVarP(&out, "out", "o", "", "write the script to this file instead of standard output (an existing file is kept unless --force)")
	fl.BoolVar(&force, "force", false, "replace the --out file if it exists")
	return cmd
}
