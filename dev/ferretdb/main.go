// Command ferretdb runs FerretDB v1 (MongoDB wire protocol) on PostgreSQL or SQLite, through
// FerretDB's embeddable package: the module's own cmd/ferretdb needs a generated version file
// that the module proxy zip does not carry (FerretDB issue #2982).
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	backend := flag.String("backend", "postgresql", "postgresql (with -postgresql-url) or sqlite (with -sqlite-dir)")
	postgresURL := flag.String("postgresql-url", "", "PostgreSQL connection URL, e.g. postgres://postgres@127.0.0.1:5432/ferretdb")
	dir := flag.String("sqlite-dir", "", "directory for the SQLite databases (created if missing)")
	level := flag.String("log-level", "warn", "debug, info, warn or error")
	// FerretDB turns on WAL; with WAL, synchronous=normal stays consistent after a crash and
	// skips an fsync per commit (the last commits may be lost on power loss: a development trade-off).
	synchronous := flag.String("sqlite-synchronous", "normal", "SQLite synchronous pragma: full or normal")
	flag.Parse()

	config := ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: *listen}, Handler: *backend}
	switch *backend {
	case "postgresql":
		if *postgresURL == "" || *dir != "" {
			log.Fatal("-backend postgresql takes -postgresql-url (and no -sqlite-dir)")
		}
		config.PostgreSQLURL = *postgresURL
	case "sqlite":
		if *dir == "" || *postgresURL != "" {
			log.Fatal("-backend sqlite takes -sqlite-dir (and no -postgresql-url)")
		}
		abs, err := filepath.Abs(*dir)
		if err != nil {
			log.Fatal(err)
		}
		if err := os.MkdirAll(abs, 0o700); err != nil {
			log.Fatal(err)
		}
		config.SQLiteURL = "file:" + abs + "/?_pragma=synchronous(" + *synchronous + ")"
	default:
		log.Fatalf("unknown -backend %q: postgresql or sqlite", *backend)
	}

	var slogLevel slog.Level
	if err := slogLevel.UnmarshalText([]byte(*level)); err != nil {
		log.Fatal(err)
	}
	config.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slogLevel, ReplaceAttr: redactQueryArguments}))

	f, err := ferretdb.New(&config)
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f.Run(ctx)
}

// redactQueryArguments keeps stored documents out of the log: on the PostgreSQL backend,
// FerretDB logs every failed query (a duplicate key is one, whenever an insert decides a race)
// with its arguments, which are the documents themselves. The SQL, with placeholders, stays.
func redactQueryArguments(groups []string, attr slog.Attr) slog.Attr {
	if len(groups) > 0 && groups[0] == "args" {
		return slog.String(attr.Key, "(redacted)")
	}
	return attr
}
