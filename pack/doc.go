// Package pack turns Linux programs into single-layer OCI images on
// scratch. Programs is the whole pipeline in one call: it checks each
// program's header, resolves its loader and libraries with elfscan inside
// the program's root, and Builds each image: the essentials policy
// (pack/essentials: users, /tmp, CA roots, zone data), the root file
// system (pack/plan), the data the program needs (pack/evidence), the
// package databases scanners read (pack/statusd), the plan verified by
// resolving the program again inside it (plan.Verify) and the config
// checked against it (pack/check), the layer (pack/layer) and the image;
// several platforms' images go into an index.
//
// Build is one program's image; given the Options that Programs gives it
// (Resolve, DBs) it makes the same image. pack writes nothing out: the
// Result's Artifact is a v1.Image or v1.ImageIndex, which pack/transport
// writes, and pack/sbom describes a Result's images.
//
// The data flows one way:
//
//	cmd -> options -> pack -> {source, check, evidence, essentials, statusd, layer} -> plan -> elfscan
package pack
