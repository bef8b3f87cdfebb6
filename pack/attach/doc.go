// Package attach makes and reads the artifacts attached to an image: an
// OCI 1.1 attachment (an SBOM) whose subject is the image, and the image
// cosign's way of attaching puts at the sha256-HEX.SUFFIX tag, as ko
// attaches its SBOMs. It does no I/O of its own: transport writes
// attachments with an image (transport.Destinations.Attachments), lists
// an image's referrers (transport.Referrers) and opens cosign's tag
// (transport.Open of imageref.Reference.WithTag); attach builds them and
// reads their data, bounded and checked against their digests.
package attach
