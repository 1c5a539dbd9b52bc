// Package ext gives Traefik's dynamic configuration its extension points with nothing in them, which is what
// the open-source build uses. Written for pacstack's tool module; see tests/tools/traefik/go.mod.
package ext

// HTTP adds no fields to dynamic.HTTP.
type HTTP struct{}

// Router adds no fields to dynamic.Router.
type Router struct{}

// RouterIng adds no fields to routers from Ingress annotations.
type RouterIng struct{}

// ToRouter turns an empty Ingress extension into an empty router extension.
func (RouterIng) ToRouter() Router { return Router{} }
