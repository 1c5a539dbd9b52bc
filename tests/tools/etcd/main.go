// etcd's server module has no main package of its own (the etcd binary lives in a module that replaces its
// siblings with local folders), so this one-line program runs the server's published entry point.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
