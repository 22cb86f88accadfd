import Foundation
import PackagePlugin

/// Writes `BuildCommit.swift` (`let buildCommit = "<git commit>"`) before every build, so
/// `cachewatch --version` names the commit it was built from. Outside a git checkout (a source
/// tarball) or without git, the commit is "unknown"; uncommitted changes to tracked files add "-dirty".
/// The file is rewritten only when its text changes, so an unchanged commit recompiles nothing.
/// SwiftPM runs prebuild commands when it plans a build (a fresh build, a changed manifest or file list),
/// not on every incremental build: `make dist`/`make install` drop the cached plan and check the result.
@main
struct BuildCommitPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let outputDirectory = context.pluginWorkDirectoryURL.appendingPathComponent("BuildCommit")
        let script = """
        cd "$1" || exit 1
        commit=$(git rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
        [ -n "$commit" ] || commit=unknown
        if [ "$commit" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
          commit="$commit-dirty"
        fi
        mkdir -p "$2"
        text="/// The git commit this binary was built from (written by BuildCommitPlugin).
        let buildCommit = \\"$commit\\""
        [ "$(cat "$2/BuildCommit.swift" 2>/dev/null)" = "$text" ] || printf '%s\\n' "$text" > "$2/BuildCommit.swift"
        """
        return [
            .prebuildCommand(
                displayName: "Recording the git commit for --version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, outputDirectory.path],
                outputFilesDirectory: outputDirectory
            ),
        ]
    }
}
