package sqlserver

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

func parse(t *testing.T, raw string) (*config, error) {
	t.Helper()
	u, err := driver.ParseURL(raw)
	if err != nil {
		return nil, err
	}
	return parseConfig(u)
}

func TestConfig(t *testing.T) {
	c, err := parse(t, "sqlserver://sa:p%40ss%3Aw%2Frd@127.0.0.1:1433?database=shop&encrypt=disable")
	if err != nil {
		t.Fatal(err)
	}
	m := c.mssql
	if m.User != "sa" || m.Password != "p@ss:w/rd" || m.Host != "127.0.0.1" || m.Port != 1433 || m.Database != "shop" ||
		c.timeout != DefaultConnectTimeout || m.DialTimeout != DefaultConnectTimeout || c.separate || c.azure {
		t.Errorf("config: %+v %+v", c, m)
	}
	if m.AppName != "originsim" {
		t.Errorf("app name %q", m.AppName)
	}
	if got := c.where(); got != `sqlserver database "shop" on 127.0.0.1:1433` {
		t.Errorf("where: %s", got)
	}

	c, err = parse(t, "sqlserver://u:pw@localhost?database=x&connect_timeout=2.5&separate_databases=true")
	if err != nil {
		t.Fatal(err)
	}
	if c.timeout != 2500*time.Millisecond || c.mssql.DialTimeout != 3*time.Second || !c.separate {
		t.Errorf("timeout %s dial %s separate %v", c.timeout, c.mssql.DialTimeout, c.separate)
	}
	for _, p := range []string{"connect_timeout", "separate_databases"} {
		if strings.Contains(c.dsn, p) {
			t.Errorf("the driver's URL keeps originsim's %s: %s", p, c.dsn)
		}
	}

	// The separate layout needs no database in the URL; the other does.
	if c, err = parse(t, "sqlserver://u:pw@localhost/SQLEXPRESS?separate_databases=1"); err != nil || c.mssql.Instance != "SQLEXPRESS" {
		t.Errorf("instance, separate layout: %+v %v", c, err)
	}
}

func TestAzureConfig(t *testing.T) {
	c, err := parse(t, "azuresql://srv.database.windows.net?database=shop&fedauth=ActiveDirectoryDefault")
	if err != nil {
		t.Fatal(err)
	}
	if !c.azure || c.mssql.Database != "shop" || c.mssql.Parameters["fedauth"] != "ActiveDirectoryDefault" || !strings.HasPrefix(c.dsn, "sqlserver://") {
		t.Errorf("azure config: %+v, dsn %s", c, c.dsn)
	}
	if _, err := c.connector(&loginDialer{}); err != nil {
		t.Errorf("connector: %v", err)
	}
	c, err = parse(t, "azuresql://app-id%40tenant:s3cretvalue@srv.database.windows.net?database=shop&fedauth=ActiveDirectoryServicePrincipal")
	if err != nil || c.mssql.User != "app-id@tenant" {
		t.Fatalf("service principal: %+v %v", c, err)
	}
	// The Azure parameters are checked when the URL is read.
	_, err = parse(t, "azuresql://u:s3cretvalue@srv.database.windows.net?database=shop&fedauth=ActiveDirectoryPassword")
	if !errors.Is(err, driver.ErrURL) || !strings.Contains(err.Error(), "applicationclientid") || strings.Contains(err.Error(), "s3cretvalue") {
		t.Errorf("fedauth without its parameters: %v", err)
	}
}

func TestBadURLs(t *testing.T) {
	for _, bad := range []string{
		"sqlserver://sa:hunter2@127.0.0.1:1433", // no database
		"sqlserver://sa:hunter2@127.0.0.1?database=x&connect_timeout=soon",
		"sqlserver://sa:hunter2@127.0.0.1?database=x&separate_databases=maybe",
		"sqlserver://sa:hunter2@127.0.0.1:notaport?database=x",
		"sqlserver://sa:hunter2@127.0.0.1?database=x&dial+timeout=x",
		"sqlserver://sa:hunter2@127.0.0.1?database=x#frag",
		"sqlserver:nohost",
		"sqlserver://sa:hunter2@?database=x",
	} {
		_, err := parse(t, bad)
		if !errors.Is(err, driver.ErrURL) {
			t.Errorf("%s: %v, want ErrURL", driver.Redact(bad), err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the message shows the password: %v", err)
		}
	}
}

// TestConnectRefused connects where nothing listens: ErrConnect, naming the
// host and database, without the password, within the timeout.
func TestConnectRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // a port that was free a moment ago: nothing listens there
	start := time.Now()
	_, err = driver.Open(t.Context(), "sqlserver://sa:hunter2@"+addr+"?database=shop&connect_timeout=5")
	if !errors.Is(err, driver.ErrConnect) {
		t.Fatalf("closed port: %v, want ErrConnect", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "hunter2") || !strings.Contains(msg, addr) || !strings.Contains(msg, `"shop"`) || !strings.Contains(msg, `"sa"`) {
		t.Errorf("message: %s", msg)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s", took)
	}
}

func TestLockSQL(t *testing.T) {
	q := lockSQL("", LockWait)
	for _, want := range []string{"sys.sp_getapplock", "@Resource = N'originsim'", "@LockOwner = 'Transaction'", "@LockMode = 'Exclusive'", "@LockTimeout = 10000", "SELECT @result"} {
		if !strings.Contains(q, want) {
			t.Errorf("lock statement lacks %q:\n%s", want, q)
		}
	}
	if strings.Count(q, "sp_getapplock") != 1 {
		t.Errorf("the whole database takes one lock:\n%s", q)
	}
	// A scope: the whole database's lock shared, then the scope's
	// exclusive, in what is left of the wait.
	q = lockSQL("o'shop", 1500*time.Millisecond)
	shared := strings.Index(q, "@Resource = N'originsim', @LockMode = 'Shared', @LockOwner = 'Transaction', @LockTimeout = 1500;")
	scoped := strings.Index(q, "@Resource = N'originsim:o''shop', @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = @left;")
	if shared < 0 || scoped < shared || !strings.Contains(q, "IF @result >= 0") || !strings.Contains(q, "SET @left = 1500 - DATEDIFF(millisecond, @start, SYSUTCDATETIME())") ||
		!strings.HasSuffix(q, "SELECT @result") {
		t.Errorf("scoped lock statement:\n%s", q)
	}
}

func TestLockWaitConfig(t *testing.T) {
	c, err := parse(t, "sqlserver://u:pw@localhost?database=x&lock_wait=0.25")
	if err != nil {
		t.Fatal(err)
	}
	if c.lockWait != 250*time.Millisecond || strings.Contains(c.dsn, "lock_wait") {
		t.Errorf("lock_wait: %s, dsn %s", c.lockWait, c.dsn)
	}
	if c, err = parse(t, "sqlserver://u:pw@localhost?database=x"); err != nil || c.lockWait != LockWait {
		t.Errorf("default lock wait: %+v %v", c, err)
	}
	for _, bad := range []string{"sqlserver://u:hunter2@localhost?database=x&lock_wait=soon", "sqlserver://u:hunter2@localhost?database=x&lock_wait=-1"} {
		if _, err := parse(t, bad); !errors.Is(err, driver.ErrURL) || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "lock_wait") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestUpdateSQL(t *testing.T) {
	orders := model.Get(model.Orders)
	create, update, drop, cols := updateSQL(Dialect, "shop", orders, []string{"order_id", "status", "deleted_at"})
	want := "CREATE TABLE #originsim_update ([order_id] INT NOT NULL PRIMARY KEY, [status] NVARCHAR(20) NULL, [deleted_at] DATETIME2(6) NULL)"
	if create != want {
		t.Errorf("create:\n%s\nwant\n%s", create, want)
	}
	want = "UPDATE t SET [status] = v.[status], [deleted_at] = v.[deleted_at]\nFROM [shop].[orders] AS t\nJOIN #originsim_update AS v ON t.[order_id] = v.[order_id]"
	if update != want {
		t.Errorf("update:\n%s\nwant\n%s", update, want)
	}
	if drop != "DROP TABLE #originsim_update" || len(cols) != 3 || cols[2].Kind != model.Timestamp {
		t.Errorf("drop %q, columns %+v", drop, cols)
	}
	_, update, _, _ = updateSQL(DatabasesDialect, "shop_db", orders, []string{"order_id", "status"})
	if !strings.Contains(update, "FROM [shop_db].[dbo].[orders] AS t") {
		t.Errorf("database layout: %s", update)
	}
}
