/**
 * The contract every Snapshot implementation keeps: the live Linux snapshot, a stored one, and the
 * Windows binding under its Wine harness all run this one suite.
 *
 * It takes a minimal assertion object (ava's `t` fits), so that it also runs outside ava.
 */
import {
  isPssError,
  QueryClass,
  type Snapshot,
  type Win32ErrorName,
  WalkClass,
} from '../../src/pss/index.js';

/** The subset of ava's assertions the contract uses. */
export interface ContractAssert {
  is(actual: unknown, expected: unknown, message?: string): void;
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
  true(actual: boolean, message?: string): void;
}

export interface ContractExpectations {
  /** Walk classes the snapshot captured (each should have at least 2 entries). */
  captured: WalkClass[];
  /** Walk classes it did not capture. */
  notCaptured: WalkClass[];
}

const COUNT_QUERY: Partial<Record<WalkClass, (s: Snapshot) => number>> = {
  [WalkClass.VaSpace]: (s) => s.query(QueryClass.VaSpaceInformation).regionCount,
  [WalkClass.Handles]: (s) => s.query(QueryClass.HandleInformation).handlesCaptured,
  [WalkClass.Threads]: (s) => s.query(QueryClass.ThreadInformation).threadsCaptured,
  [WalkClass.AuxiliaryPages]: (s) => s.query(QueryClass.AuxiliaryPagesInformation).auxPagesCaptured,
};

const QUERY_OF_WALK: Partial<Record<WalkClass, QueryClass>> = {
  [WalkClass.VaSpace]: QueryClass.VaSpaceInformation,
  [WalkClass.Handles]: QueryClass.HandleInformation,
  [WalkClass.Threads]: QueryClass.ThreadInformation,
  [WalkClass.AuxiliaryPages]: QueryClass.AuxiliaryPagesInformation,
};

/** Runs `fn` and asserts that it throws a PssError with `code`. */
export function expectPssError(t: ContractAssert, fn: () => unknown, code: Win32ErrorName, what: string): void {
  try {
    fn();
  } catch (error) {
    t.true(isPssError(error), `${what}: throws a PssError (got ${String(error)})`);
    if (isPssError(error)) t.is(error.code, code, `${what}: code`);
    return;
  }
  t.true(false, `${what}: expected ${code}, but nothing was thrown`);
}

/** Checks query, walk, markers, duplicate and free of `snapshot`, which stays usable afterwards. */
export function checkSnapshotContract(t: ContractAssert, snapshot: Snapshot, expect: ContractExpectations): void {
  const process = snapshot.query(QueryClass.ProcessInformation);
  t.is(process.processId, snapshot.info.processId, 'process information names the captured pid');

  for (const cls of expect.captured) {
    const name = WalkClass[cls];
    const all = [...snapshot.entries(cls)];
    t.true(all.length >= 2, `${name}: at least two entries to walk`);
    const count = COUNT_QUERY[cls]?.(snapshot);
    if (count !== undefined) t.is(count, all.length, `${name}: the query count equals the walked entries`);

    // Walk by hand: the marker advances one entry per call and the end is null, repeatedly.
    const marker = snapshot.createWalkMarker();
    try {
      t.is(marker.getPosition(), marker.getPosition(), `${name}: a fresh marker has a stable position`);
      const first = snapshot.walk(cls, marker);
      t.deepEqual(first, all[0], `${name}: the first walk returns the first entry`);
      const afterFirst = marker.getPosition();
      const second = snapshot.walk(cls, marker);
      t.deepEqual(second, all[1], `${name}: the second walk returns the second entry`);
      // Positions round-trip through get/set.
      marker.setPosition(afterFirst);
      t.deepEqual(snapshot.walk(cls, marker), all[1], `${name}: setPosition returns to a saved position`);
      // Seek to beginning gives the state of a fresh marker.
      marker.seekToBeginning();
      t.deepEqual(snapshot.walk(cls, marker), all[0], `${name}: seekToBeginning restarts the walk`);

      // A second marker is independent of the first.
      const other = snapshot.createWalkMarker();
      try {
        t.deepEqual(snapshot.walk(cls, other), all[0], `${name}: a second marker starts at the beginning`);
        t.deepEqual(snapshot.walk(cls, marker), all[1], `${name}: the first marker did not move`);
      } finally {
        other.free();
      }

      let walked = 2;
      while (snapshot.walk(cls, marker) !== null) walked++;
      t.is(walked, all.length, `${name}: the hand walk visits every entry`);
      const end = marker.getPosition();
      t.is(snapshot.walk(cls, marker), null, `${name}: the end of the walk stays the end`);
      t.is(marker.getPosition(), end, `${name}: the end does not move the marker`);
    } finally {
      marker.free();
    }
    expectPssError(t, () => marker.getPosition(), 'ERROR_INVALID_HANDLE', `${name}: marker use after free`);
    expectPssError(t, () => snapshot.walk(cls, marker), 'ERROR_INVALID_HANDLE', `${name}: walk with a freed marker`);
    expectPssError(t, () => marker.free(), 'ERROR_INVALID_HANDLE', `${name}: freeing a marker twice`);
  }

  for (const cls of expect.notCaptured) {
    const name = WalkClass[cls];
    const marker = snapshot.createWalkMarker();
    try {
      expectPssError(t, () => snapshot.walk(cls, marker), 'ERROR_NOT_FOUND', `${name}: walk of a class not captured`);
    } finally {
      marker.free();
    }
    const query = QUERY_OF_WALK[cls];
    if (query !== undefined) {
      expectPssError(t, () => snapshot.query(query), 'ERROR_NOT_FOUND', `${name}: query of a class not captured`);
    }
  }

  expectPssError(t, () => snapshot.query(99 as QueryClass), 'ERROR_INVALID_PARAMETER', 'query of an unknown class');
  const probe = snapshot.createWalkMarker();
  expectPssError(t, () => snapshot.walk(99 as WalkClass, probe), 'ERROR_INVALID_PARAMETER', 'walk of an unknown class');
  probe.free();

  // Duplicates share the data and are freed independently.
  const duplicate = snapshot.duplicate();
  for (const cls of expect.captured) {
    t.deepEqual([...duplicate.entries(cls)], [...snapshot.entries(cls)], `${WalkClass[cls]}: the duplicate holds the same entries`);
  }
  duplicate.free();
  t.true(duplicate.freed, 'a freed duplicate says so');
  expectPssError(t, () => duplicate.query(QueryClass.ProcessInformation), 'ERROR_INVALID_HANDLE', 'query after free');
  expectPssError(t, () => duplicate.createWalkMarker(), 'ERROR_INVALID_HANDLE', 'marker of a freed snapshot');
  expectPssError(t, () => duplicate.free(), 'ERROR_INVALID_HANDLE', 'freeing a snapshot twice');
  t.is(snapshot.query(QueryClass.ProcessInformation).processId, process.processId, 'the original outlives its freed duplicate');
}
