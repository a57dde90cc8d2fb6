"""Numba kernels for the shop tabu search: the disjunctive graph as arrays, one idea per function.

Operations are numbered job by job. `jp`/`js` are the job predecessor/successor (-1 for none);
alternatives of operation v are `alt_m/alt_d[alt_ptr[v]:alt_ptr[v + 1]]`. A schedule is the
machine of each operation (`mach`, `dur`) and each machine's order (`seq[m, :seq_len[m]]`);
`mp`/`ms` are the machine predecessor/successor. Heads `r` are earliest starts, tails `q` the
longest path from an operation's end to the end of the schedule.
"""

from __future__ import annotations

import numpy as np
from numba import njit

NONE = -1


@njit(cache=True)
def machine_links(seq, seq_len, mp, ms):
    """Machine predecessor and successor of every operation from the machine orders."""
    for m in range(seq.shape[0]):
        prev = NONE
        for i in range(seq_len[m]):
            x = seq[m, i]
            mp[x] = prev
            if prev >= 0:
                ms[prev] = x
            prev = x
        if prev >= 0:
            ms[prev] = NONE


@njit(cache=True)
def topological_order(jp, js, mp, ms, order):
    """Kahn's order of the graph into `order`; False when the machine orders make a cycle."""
    n = jp.shape[0]
    indeg = np.zeros(n, np.int64)
    for x in range(n):
        indeg[x] = (jp[x] >= 0) + (mp[x] >= 0)
    head = 0
    tail = 0
    for x in range(n):
        if indeg[x] == 0:
            order[tail] = x
            tail += 1
    while head < tail:
        x = order[head]
        head += 1
        for y in (js[x], ms[x]):
            if y >= 0:
                indeg[y] -= 1
                if indeg[y] == 0:
                    order[tail] = y
                    tail += 1
    return tail == n


@njit(cache=True)
def heads(order, jp, mp, dur, skip, r):
    """Earliest starts; with `skip` >= 0, of the graph without that operation (its machine
    successor then follows its machine predecessor, its job successor loses the job arc)."""
    for x in order:
        if x == skip:
            continue
        h = 0
        j = jp[x]
        if j >= 0 and j != skip:
            h = r[j] + dur[j]
        m = mp[x]
        if skip >= 0 and m == skip:
            m = mp[skip]
        if m >= 0 and r[m] + dur[m] > h:
            h = r[m] + dur[m]
        r[x] = h


@njit(cache=True)
def tails(order, js, ms, dur, skip, q):
    """Longest path from each operation's end to the schedule's end; `skip` as in `heads`."""
    for i in range(order.shape[0] - 1, -1, -1):
        x = order[i]
        if x == skip:
            continue
        t = 0
        j = js[x]
        if j >= 0 and j != skip:
            t = dur[j] + q[j]
        m = ms[x]
        if skip >= 0 and m == skip:
            m = ms[skip]
        if m >= 0 and dur[m] + q[m] > t:
            t = dur[m] + q[m]
        q[x] = t


@njit(cache=True)
def evaluate(jp, js, seq, seq_len, dur, mp, ms, order, r, q):
    """Links, order, heads and tails of a schedule; its makespan, or -1 for a cyclic one."""
    machine_links(seq, seq_len, mp, ms)
    if not topological_order(jp, js, mp, ms, order):
        return -1
    heads(order, jp, mp, dur, NONE, r)
    tails(order, js, ms, dur, NONE, q)
    cmax = 0
    for x in range(jp.shape[0]):
        if r[x] + dur[x] > cmax:
            cmax = r[x] + dur[x]
    return cmax


@njit(cache=True)
def insertion_is_acyclic(a, b, jpv, jsv, dur, rm, qm):
    """Putting v between a and b (graph without v) makes no cycle: a is not reached from v's job
    successor and b does not reach v's job predecessor; heads and tails prove it (durations >= 0)."""
    if a >= 0 and jsv >= 0:
        if a == jsv:
            return False
        if not (rm[a] < rm[jsv] + dur[jsv] or qm[jsv] < dur[a] + qm[a]):
            return False
    if b >= 0 and jpv >= 0:
        if b == jpv:
            return False
        if not (qm[b] < dur[jpv] + qm[jpv] or rm[b] + dur[b] > rm[jpv]):
            return False
    return True


@njit(cache=True)
def critical_path(jp, mp, dur, r, cmax, path):
    """One critical path, drawn at random where several meet, from the end back into `path`;
    returns its length."""
    n = jp.shape[0]
    x = NONE
    ties = 0
    for y in range(n):
        if r[y] + dur[y] == cmax:
            ties += 1
            if np.random.randint(ties) == 0:
                x = y
    length = 0
    while x >= 0:
        path[length] = x
        length += 1
        j = jp[x]
        m = mp[x]
        tight_j = j >= 0 and r[j] + dur[j] == r[x]
        tight_m = m >= 0 and r[m] + dur[m] == r[x]
        if tight_j and tight_m:
            x = j if np.random.randint(2) == 0 else m
        elif tight_j:
            x = j
        elif tight_m:
            x = m
        else:
            x = NONE
    return length


@njit(cache=True)
def pick_insertion(
    jp, js, alt_ptr, alt_m, alt_d, seq, seq_len, mach, dur, mp, ms, order, r, q, cmax,
    best_c, tabu, it, at_random, rm, qm, move, path, mode,
):  # fmt: skip
    """The best move of a critical operation to another place on its machine or on another
    eligible machine, evaluated exactly (makespan of the graph without v, or the longest path
    through v). Tabu moves count only when they beat `best_c`; with `at_random` any acyclic move
    is drawn. Writes (v, machine, index, duration, makespan) into `move`; False when none."""
    n = jp.shape[0]
    found = False
    found_c = 1 << 60
    found_t = 1 << 60
    ties = 0
    if mode[1] == 1:
        n_path = critical_path(jp, mp, dur, r, cmax, path)
    else:
        n_path = 0
        for v in range(n):
            if r[v] + dur[v] + q[v] == cmax:
                path[n_path] = v
                n_path += 1
    for pi in range(n_path):
        v = path[pi]
        heads(order, jp, mp, dur, v, rm)
        tails(order, js, ms, dur, v, qm)
        c_without = 0
        for x in range(n):
            if x != v and rm[x] + dur[x] > c_without:
                c_without = rm[x] + dur[x]
        jpv = jp[v]
        jsv = js[v]
        head_job = rm[jpv] + dur[jpv] if jpv >= 0 else 0
        tail_job = dur[jsv] + qm[jsv] if jsv >= 0 else 0
        for alt in range(alt_ptr[v], alt_ptr[v + 1]):
            k = alt_m[alt]
            d = alt_d[alt]
            a = NONE
            index = 0
            length = seq_len[k]
            for i in range(length + 1):
                b = seq[k, i] if i < length else NONE
                if b == v:
                    continue
                same = k == mach[v] and a == mp[v] and d == dur[v]
                if not same and insertion_is_acyclic(a, b, jpv, jsv, dur, rm, qm):
                    h = head_job
                    if a >= 0 and rm[a] + dur[a] > h:
                        h = rm[a] + dur[a]
                    t = tail_job
                    if b >= 0 and dur[b] + qm[b] > t:
                        t = dur[b] + qm[b]
                    through = h + d + t
                    c = max(c_without, through)
                    if mode[0] == 0:
                        through = 0
                    # the arcs a -> v and v -> b, with n + k standing for machine k's start/end
                    into = tabu[a if a >= 0 else n + k, v]
                    out = tabu[v, b if b >= 0 else n + k]
                    allowed = at_random or (into <= it and out <= it) or c < best_c
                    if allowed:
                        if at_random:
                            ties += 1
                            better = np.random.randint(ties) == 0
                        elif c < found_c or (c == found_c and through < found_t):
                            better = True
                            ties = 1
                        elif c == found_c and through == found_t:
                            ties += 1
                            better = np.random.randint(ties) == 0
                        else:
                            better = False
                        if better:
                            found = True
                            found_c = c
                            found_t = through
                            move[0] = v
                            move[1] = k
                            move[2] = index
                            move[3] = d
                            move[4] = c
                a = b
                index += 1
    return found


@njit(cache=True)
def move_operation(v, k, index, d, seq, seq_len, mach, dur):
    """Take v out of its machine's order and put it at `index` of machine k's order.
    Returns v's old (machine, index, duration) so that the move can be undone."""
    k0 = mach[v]
    length = seq_len[k0]
    p = 0
    while seq[k0, p] != v:
        p += 1
    for i in range(p, length - 1):
        seq[k0, i] = seq[k0, i + 1]
    seq_len[k0] = length - 1
    length = seq_len[k]
    for i in range(length, index, -1):
        seq[k, i] = seq[k, i - 1]
    seq[k, index] = v
    seq_len[k] = length + 1
    d0 = dur[v]
    mach[v] = k
    dur[v] = d
    return k0, p, d0


@njit(cache=True)
def seed_random(seed):
    """Seed numba's generator (per thread) for reproducible runs."""
    np.random.seed(seed)


@njit(cache=True, nogil=True)
def tabu_steps(
    jp, js, alt_ptr, alt_m, alt_d, seq, seq_len, mach, dur, mp, ms, order, r, q,
    best_seq, best_len, best_mach, best_dur, tabu, stats, params, rm, qm, move, path, n_steps,
):  # fmt: skip
    """`n_steps` tabu iterations from the current schedule, best one kept in the best_* arrays.

    stats: iteration, makespan, best makespan, iterations since the best, stop-at bound, moves
    whose evaluated makespan differed from the predicted one (always 0 unless a bug).
    params: tenure min, tenure spread, iterations without a new best before going back to the
    best schedule and kicking it with random moves, number of kick moves.
    """
    n = jp.shape[0]
    mode = params[4:6]
    for _ in range(n_steps):
        if stats[2] <= stats[4]:
            return
        it = stats[0]
        stats[0] = it + 1
        if stats[3] >= params[2]:
            seq[:, :] = best_seq
            seq_len[:] = best_len
            mach[:] = best_mach
            dur[:] = best_dur
            cmax = evaluate(jp, js, seq, seq_len, dur, mp, ms, order, r, q)
            for _kick in range(params[3]):
                if not pick_insertion(
                    jp, js, alt_ptr, alt_m, alt_d, seq, seq_len, mach, dur, mp, ms, order, r, q,
                    cmax, 0, tabu, it, True, rm, qm, move, path, mode,
                ):  # fmt: skip
                    break
                k0, p0, d0 = move_operation(
                    move[0], move[1], move[2], move[3], seq, seq_len, mach, dur
                )
                c = evaluate(jp, js, seq, seq_len, dur, mp, ms, order, r, q)
                if c < 0:
                    move_operation(move[0], k0, p0, d0, seq, seq_len, mach, dur)
                    c = evaluate(jp, js, seq, seq_len, dur, mp, ms, order, r, q)
                cmax = c
            tabu[:, :] = 0
            stats[0] = 0
            stats[1] = cmax
            stats[3] = 0
            continue
        cmax = stats[1]
        found = pick_insertion(
            jp, js, alt_ptr, alt_m, alt_d, seq, seq_len, mach, dur, mp, ms, order, r, q,
            cmax, stats[2], tabu, it, False, rm, qm, move, path, mode,
        )  # fmt: skip
        if not found:
            found = pick_insertion(
                jp, js, alt_ptr, alt_m, alt_d, seq, seq_len, mach, dur, mp, ms, order, r, q,
                cmax, stats[2], tabu, it, True, rm, qm, move, path, mode,
            )  # fmt: skip
        if not found:
            return
        v = move[0]
        before = mp[v] if mp[v] >= 0 else n + mach[v]
        after = ms[v] if ms[v] >= 0 else n + mach[v]
        k0, p0, d0 = move_operation(v, move[1], move[2], move[3], seq, seq_len, mach, dur)
        c = evaluate(jp, js, seq, seq_len, dur, mp, ms, order, r, q)
        if c != move[4]:
            stats[5] += 1
        if c < 0:
            move_operation(v, k0, p0, d0, seq, seq_len, mach, dur)
            c = evaluate(jp, js, seq, seq_len, dur, mp, ms, order, r, q)
        # v may not go back next to the neighbours it leaves for a while
        expiry = it + params[0] + np.random.randint(params[1] + 1)
        tabu[before, v] = expiry
        tabu[v, after] = expiry
        stats[1] = c
        if c < stats[2]:
            stats[2] = c
            stats[3] = 0
            best_seq[:, :] = seq
            best_len[:] = seq_len
            best_mach[:] = mach
            best_dur[:] = dur
        else:
            stats[3] += 1
