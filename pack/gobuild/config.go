package gobuild

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is what a .ko.yaml says that a build without a base image can
// use: the default platforms, environment, flags and ldflags, and the
// builds entries, each for one main package.
type Config struct {
	File             string   // where it was read from; "" when there is none
	DefaultPlatforms []string `yaml:"defaultPlatforms"`
	DefaultEnv       []string `yaml:"defaultEnv"`
	DefaultFlags     []string `yaml:"defaultFlags"`
	DefaultLdflags   []string `yaml:"defaultLdflags"`
	Builds           []Entry  `yaml:"builds"`
	// Ignored names the settings that have no meaning without a base
	// image (defaultBaseImage, baseImageOverrides) that the file sets.
	Ignored []string `yaml:"-"`
	// Bases are the base images those settings name, in the file's order.
	Bases []string `yaml:"-"`
}

// Entry is one builds entry of a .ko.yaml, as GoReleaser and ko read it.
type Entry struct {
	ID      string    `yaml:"id"`
	Dir     string    `yaml:"dir"`  // where go runs, relative to the working directory (as ko's, also with KO_CONFIG_PATH)
	Main    string    `yaml:"main"` // the main package (or a file in it), relative to Dir
	Env     []string  `yaml:"env"`
	Flags   flagArray `yaml:"flags"`
	Ldflags strArray  `yaml:"ldflags"`
	// LinuxCapabilities are ko's file capabilities of the binary: each a
	// capability or a cap_from_text(3) clause (see CapabilityXattr).
	LinuxCapabilities flagArray `yaml:"linux_capabilities"`
}

// strArray is a list, or one string that is one element.
type strArray []string

func (a *strArray) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*a = []string{n.Value}
		return nil
	}
	return n.Decode((*[]string)(a))
}

// flagArray is a list, or one string of space-separated flags.
type flagArray []string

func (a *flagArray) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*a = strings.Fields(n.Value)
		return nil
	}
	return n.Decode((*[]string)(a))
}

// LoadConfig reads the .ko.yaml in dir, or the file (or directory holding
// one) that KO_CONFIG_PATH names, as ko does. No file is an empty Config.
// KO_DEFAULTPLATFORMS, when set, overrides defaultPlatforms.
func LoadConfig(dir string, getenv func(string) string) (*Config, error) {
	file := filepath.Join(dir, ".ko.yaml")
	if p := getenv("KO_CONFIG_PATH"); p != "" {
		file = p
		if fi, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("KO_CONFIG_PATH %s: %w", p, err)
		} else if fi.IsDir() {
			file = filepath.Join(p, ".ko.yaml")
		}
	}
	c := &Config{}
	b, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist) && getenv("KO_CONFIG_PATH") == "":
	case err != nil:
		return nil, err
	default:
		if err := yaml.Unmarshal(b, c); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		var all struct {
			Default   *string           `yaml:"defaultBaseImage"`
			Overrides map[string]string `yaml:"baseImageOverrides"`
		}
		_ = yaml.Unmarshal(b, &all) // parsed above
		if all.Default != nil {
			c.Ignored, c.Bases = append(c.Ignored, "defaultBaseImage"), append(c.Bases, *all.Default)
		}
		if all.Overrides != nil {
			c.Ignored = append(c.Ignored, "baseImageOverrides")
			for _, k := range slices.Sorted(maps.Keys(all.Overrides)) {
				if !slices.Contains(c.Bases, all.Overrides[k]) {
					c.Bases = append(c.Bases, all.Overrides[k])
				}
			}
		}
		c.File = file
	}
	if p := getenv("KO_DEFAULTPLATFORMS"); p != "" {
		c.DefaultPlatforms = strings.Split(p, ",")
	}
	return c, nil
}

// BaseNote is the line that says the base images are ignored, and what
// each gave that an image on scratch does not, with the flag that gives
// it back: the user it ran as, its shell and tools, its files; "" when
// the config names no base.
func (c *Config) BaseNote() string {
	if len(c.Ignored) == 0 {
		return ""
	}
	bases := ""
	if len(c.Bases) > 0 {
		bases = " (" + strings.Join(c.Bases, ", ") + ")"
	}
	return fmt.Sprintf("%s: %s ignored%s: the images are on scratch, without what a base gives: "+
		"its user (these run as nonroot, 65532; give --user 0 for root, or --user NAME|UID), "+
		"its shell and tools (--include /bin/sh with their libraries, or --add SRC:DST), "+
		"and its files (--add SRC:DST from the host, --include PATH from the host or --sysroot; CA roots and zone data come when the program needs them)",
		c.File, strings.Join(c.Ignored, ", "), bases)
}
