// The open-source Traefik build carries no extensions: empty extension points (see ../go.mod).
module github.com/traefik/traefik/dynamic/ext

go 1.24
