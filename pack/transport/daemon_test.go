package transport

import "testing"

// TestLoadError reads what dockerd 20.10 answered to the load of a good
// image and of one with a zstd layer (taken with curl from its socket):
// both come with success, the refusal in the stream.
func TestLoadError(t *testing.T) {
	const progress = `{"status":"Loading layer","progressDetail":{"current":14408,"total":14408},"progress":"[==================================================\u003e]  14.41kB/14.41kB","id":"0c57c88c05b4"}` + "\r\n"
	cases := []struct {
		name, response, want string
	}{
		{"loaded", progress + progress + `{"stream":"Loaded image: zg:1\n"}` + "\r\n", ""},
		{"refused", progress + `{"errorDetail":{"message":"Error processing tar file(exit status 1): archive/tar: invalid tar header"},"error":"Error processing tar file(exit status 1): archive/tar: invalid tar header"}` + "\r\n",
			"Error processing tar file(exit status 1): archive/tar: invalid tar header"},
		{"error only", `{"error":"no space left\non device"}`, "no space left on device"},
		{"empty (image already there)", "", ""},
		{"not JSON", "Loaded image: zg:1\n", ""},
	}
	for _, c := range cases {
		err := loadError(c.response)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s: error %q, want %q", c.name, got, c.want)
		}
	}
}
