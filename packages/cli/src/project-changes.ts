import { existsSync } from 'node:fs';

/**
 * The files of a watched project that changed between `faasport dev`'s deploy passes.
 *
 * An editor's rename-save writes a temporary file beside the original and renames it over. The watcher
 * (chokidar) reports the temporary file's removal about 100 ms after the rename, often once the pass for
 * the save has started: its `atomic` option (on by default) holds every removal back 100 ms to see whether
 * the file comes back (chokidar 4 README, "atomic"; observed with chokidar 4.0.3 in this package's test). A file that appeared after the last pass started and is gone again was never part
 * of a deploy, so its removal starts no pass and it is not named among the changes.
 */
export class ProjectChanges {
  private readonly pending = new Set<string>();
  /** Files the watcher reported added (and not yet removed) while dev runs. */
  private readonly added = new Set<string>();
  /** Of those, the ones that existed when the last pass started: that pass may have deployed them. */
  private seenByLastPass = new Set<string>();

  /**
   * Records a watcher event (`add`, `change`, `unlink`, ...) for an absolute path.
   *
   * @returns whether it calls for a pass
   */
  record(event: string, file: string): boolean {
    if (event === 'add') this.added.add(file);
    else if (event === 'unlink' && this.added.delete(file) && !this.seenByLastPass.has(file)) {
      // It came and went between two passes: nothing to deploy, nothing to name.
      this.pending.delete(file);
      return false;
    }
    this.pending.add(file);
    return true;
  }

  /**
   * Starts a pass: returns the files to name as changed since the last one (leaving out files that came
   * and went before it) and begins collecting anew.
   */
  startPass(): string[] {
    this.seenByLastPass = new Set([...this.added].filter((file) => existsSync(file)));
    const files = [...this.pending].filter((file) => !this.added.has(file) || this.seenByLastPass.has(file));
    this.pending.clear();
    return files;
  }
}
