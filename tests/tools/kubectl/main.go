// kubectl at the Kubernetes release of the API-server tier: k8s.io/kubectl publishes the command but no main
// package (the binary's main lives in k8s.io/kubernetes, which replaces its siblings with local folders), so this
// program runs the published command the way that main does.
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	if err := cli.RunNoErrOutput(cmd.NewDefaultKubectlCommand()); err != nil {
		util.CheckErr(err)
	}
}
