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
	var force, cdc, ct bool
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
existing one (exit 3) unless --force.

--enable-cdc and --change-tracking append, after the commit, the statements
load-baseline runs for them, each doing nothing where the capture is on
already: on PostgreSQL REPLICA IDENTITY FULL on the eight tables and the
publication originsim_<shop schema> (made, or set to the eight tables);
on SQL Server CDC (sys.sp_cdc_enable_db, sys.sp_cdc_enable_table) or
change tracking on the database and the tables. Other dialects have none:
exit 2.`,
		Example: `  originsim sql --dialect postgres --day 0 | psql -v ON_ERROR_STOP=1 -q -X "postgres://user@host:5432/db"
  originsim sql --dialect postgres --day 1 | psql -v ON_ERROR_STOP=1 -q -X "postgres://user@host:5432/db"
  originsim sql --dialect mysql --day 0 | mariadb -h host -u user -p
  originsim sql --dialect duckdb --day 0 --out day0.sql   # then: duckdb demo.duckdb < day0.sql
  originsim sql --dialect duckdb --day 1 --out day1.sql --force   # replace day1.sql
  originsim sql --dialect sqlserver --day 0 > day0.sql   # then: sqlcmd -S host -d db -U user -b -i day0.sql
  originsim sql --dialect postgres --day 1 --shop-schema shop_db --crm-schema crm_db --seed 7 | less
  originsim sql --dialect postgres --day 0 --enable-cdc | psql -v ON_ERROR_STOP=1 -q -X "$DATABASE_URL"
  originsim sql --dialect sqlserver --day 0 --change-tracking > day0.sql`,
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
			var capture driver.Capture
			switch {
			case ct:
				capture = driver.ChangeTracking
			case cdc:
				capture = driver.CDC
			}
			if _, ok := driver.CaptureScript(d, capture, nil); capture != "" && !ok {
				flag := "--enable-cdc"
				if ct {
					flag = "--change-tracking"
				}
				return usageError{fmt.Errorf("%s does not apply to %s: it has no %s to switch on (PostgreSQL has CDC, SQL Server both)", flag, dialect, capture)}
			}
			cfg, sc, err := a.generator(cmd, &g)
			if err != nil {
				return err
			}
			if out == "" {
				return sqlscript.WriteWith(a.stdout, d, sc, cfg, day, capture)
			}
			return writeOut("--out", out, force, func(w io.Writer) error { return sqlscript.WriteWith(w, d, sc, cfg, day, capture) })
		},
	}
	g.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&dialect, "dialect", "", "the database the script is for: "+names)
	fl.IntVar(&day, "day", 0, fmt.Sprintf("the step: 0 is the schema and baseline, 1 to %d a business day", gen.MaxDay))
	fl.StringVarP(&out, "out", "o", "", "write the script to this file instead of standard output (an existing file is kept unless --force)")
	fl.BoolVar(&force, "force", false, "replace the --out file if it exists")
	fl.BoolVar(&cdc, "enable-cdc", false, "append the statements that switch change data capture on (PostgreSQL: publication and replica identity; SQL Server: CDC)")
	fl.BoolVar(&ct, "change-tracking", false, "append the statements that switch SQL Server's change tracking on")
	return cmd
}
