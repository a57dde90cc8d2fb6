"""Numba kernels of the pure job-shop tabu search: the N7 neighbourhood of critical blocks, each
move estimated in the time of its block (Zhang, Li, Guan, Rao 2007; Balas-Vazacopoulos 1998).

Same arrays as `shop_moves` (job links `jp`/`js`, machine orders `seq[m, :seq_len[m]]`, machine
links `mp`/`ms`, heads `r`, tails `q` from an operation's end). Every operation has one machine,
so a schedule is its machine orders; `pos[v]` is v's place in its machine's order.

A block is a run of operations on one machine, one after the other on a critical path. A move
takes one operation of a block and puts it elsewhere in the same block: an inner (or the last)
operation to the front, an inner (or the first) one to the back, the first into every inner
place, the last into every inner place.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from scheduler.shop_moves import critical_path, evaluate

FORWARD = 0  # the operation goes later: right after the target
BACKWARD = 1  # the operation goes earlier: right before the target


@njit(cache=True)
def critical_blocks(jp, mp, dur, r, cmax, path, first, last):
    """One critical path (random where paths meet) in `path`, start to end, and its blocks of two
    or more operations as `path[first[b]..last[b]]`; returns (path length, number of blocks)."""
    length = critical_path(jp, mp, dur, r, cmax, path)
    for i in range(length // 2):
        path[i], path[length - 1 - i] = path[length - 1 - i], path[i]
    n_blocks = 0
    i = 0
    while i < length:
        j = i
        while j + 1 < length and mp[path[j + 1]] == path[j]:
            j += 1
        if j > i:
            first[n_blocks] = i
            last[n_blocks] = j
            n_blocks += 1
        i = j + 1
    return length, n_blocks


@njit(cache=True)
def positions(seq, seq_len, pos):
    """Each operation's place in its machine's order."""
    for m in range(seq.shape[0]):
        for i in range(seq_len[m]):
            pos[seq[m, i]] = i


@njit(cache=True)
def is_safe(u, v, direction, jp, js, dur, r, q):
    """The move of u next to v makes no cycle: no path from u's job successor to v (forward) or
    from v to u's job predecessor (backward); heads and tails prove it (Balas-Vazacopoulos)."""
    if direction == FORWARD:
        s = js[u]
        return s < 0 or (s != v and q[s] < dur[v] + q[v])
    p = jp[u]
    return p < 0 or (p != v and r[p] < r[v] + dur[v])


@njit(cache=True)
def new_order(u, v, direction, seq, pos, mach, seg):
    """The operations from u to v (or v to u) in the order the move gives them, into `seg`;
    returns their number."""
    m = mach[u]
    k = 0
    if direction == FORWARD:
        for i in range(pos[u] + 1, pos[v] + 1):
            seg[k] = seq[m, i]
            k += 1
        seg[k] = u
        return k + 1
    seg[0] = u
    k = 1
    for i in range(pos[v], pos[u]):
        seg[k] = seq[m, i]
        k += 1
    return k


@njit(cache=True)
def estimate(seg, k, a, b, jp, js, dur, r, q, rr):
    """Longest path through the reordered operations `seg[:k]` between machine neighbours a and
    b, from the heads and tails of the schedule before the move (Balas-Vazacopoulos)."""
    end = r[a] + dur[a] if a >= 0 else 0
    for i in range(k):
        w = seg[i]
        h = end
        p = jp[w]
        if p >= 0 and r[p] + dur[p] > h:
            h = r[p] + dur[p]
        rr[i] = h
        end = h + dur[w]
    tail = dur[b] + q[b] if b >= 0 else 0
    longest = 0
    for i in range(k - 1, -1, -1):
        w = seg[i]
        t = tail
        s = js[w]
        if s >= 0 and dur[s] + q[s] > t:
            t = dur[s] + q[s]
        if rr[i] + dur[w] + t > longest:
            longest = rr[i] + dur[w] + t
        tail = dur[w] + t
    return longest


@njit(cache=True)
def move_arcs(u, v, direction, seq, seq_len, pos, mach, n, arcs):
    """The machine arcs next to u that the move creates (arcs[0:2]) and removes (arcs[2:4]), as
    (from, to) pairs; n + machine stands for the machine's start or end."""
    m = mach[u]
    a = seq[m, pos[u] - 1] if pos[u] > 0 else n + m  # u's machine predecessor now
    b = seq[m, pos[u] + 1] if pos[u] + 1 < seq_len[m] else n + m  # and successor
    if direction == FORWARD:
        after = seq[m, pos[v] + 1] if pos[v] + 1 < seq_len[m] else n + m
        arcs[0, 0], arcs[0, 1] = v, u
        arcs[1, 0], arcs[1, 1] = u, after
    else:
        before = seq[m, pos[v] - 1] if pos[v] > 0 else n + m
        arcs[0, 0], arcs[0, 1] = before, u
        arcs[1, 0], arcs[1, 1] = u, v
    arcs[2, 0], arcs[2, 1] = a, u
    arcs[3, 0], arcs[3, 1] = u, b


@njit(cache=True)
def apply_move(u, v, direction, seq, pos, mach):
    """Put u right after (forward) or right before (backward) v in their machine's order."""
    m = mach[u]
    pu = pos[u]
    pv = pos[v]
    if direction == FORWARD:
        for i in range(pu, pv):
            seq[m, i] = seq[m, i + 1]
            pos[seq[m, i]] = i
        seq[m, pv] = u
        pos[u] = pv
    else:
        for i in range(pu, pv, -1):
            seq[m, i] = seq[m, i - 1]
            pos[seq[m, i]] = i
        seq[m, pv] = u
        pos[u] = pv


@njit(cache=True)
def undo_move(u, old_pos, seq, pos, mach):
    """Put u back at `old_pos` of its machine's order."""
    m = mach[u]
    pu = pos[u]
    if old_pos > pu:
        v = seq[m, old_pos]
        apply_move(u, v, FORWARD, seq, pos, mach)
    elif old_pos < pu:
        v = seq[m, old_pos]
        apply_move(u, v, BACKWARD, seq, pos, mach)


@njit(cache=True)
def block_moves(path, first, last, n_blocks, moves):
    """Every N7 move of the blocks as (u, v, direction) rows of `moves`; returns their number.
    Swaps of two neighbours are listed once."""
    k = 0
    for b in range(n_blocks):
        lo = first[b]
        hi = last[b]
        head = path[lo]
        tail = path[hi]
        # the first operation into every later place (to the back included)
        for i in range(lo + 1, hi + 1):
            moves[k, 0], moves[k, 1], moves[k, 2] = head, path[i], FORWARD
            k += 1
        # the last operation into every earlier place but the one next to it (a listed swap)
        for i in range(lo, hi - 1):
            moves[k, 0], moves[k, 1], moves[k, 2] = tail, path[i], BACKWARD
            k += 1
        # inner operations to the front (but the second: the swap with the first is listed)
        for i in range(lo + 2, hi):
            moves[k, 0], moves[k, 1], moves[k, 2] = path[i], head, BACKWARD
            k += 1
        # inner operations to the back
        for i in range(lo + 1, hi):
            moves[k, 0], moves[k, 1], moves[k, 2] = path[i], tail, FORWARD
            k += 1
    return k


@njit(cache=True)
def pick_move(jp, js, dur, mp, ms, r, q, seq, seq_len, pos, mach, tabu, it, best_c, at_random,
              moves, n_moves, seg, rr, arcs, chosen):  # fmt: skip
    """The move with the shortest estimated longest path, ties at random; a tabu move counts only
    when its estimate beats `best_c`. With `at_random`, or when every move is tabu, any safe move
    is drawn. Writes (u, v, direction, estimate) into `chosen`; False when no move is safe."""
    n = jp.shape[0]
    found = -1
    found_est = 1 << 60
    ties = 0
    drawn = -1
    n_safe = 0
    for i in range(n_moves):
        u, v, direction = moves[i, 0], moves[i, 1], moves[i, 2]
        if not is_safe(u, v, direction, jp, js, dur, r, q):
            continue
        n_safe += 1
        if np.random.randint(n_safe) == 0:
            drawn = i
        if at_random:
            continue
        k = new_order(u, v, direction, seq, pos, mach, seg)
        if direction == FORWARD:
            est = estimate(seg, k, mp[u], ms[v], jp, js, dur, r, q, rr)
        else:
            est = estimate(seg, k, mp[v], ms[u], jp, js, dur, r, q, rr)
        move_arcs(u, v, direction, seq, seq_len, pos, mach, n, arcs)
        is_tabu = tabu[arcs[0, 0], arcs[0, 1]] > it or tabu[arcs[1, 0], arcs[1, 1]] > it
        if is_tabu and est >= best_c:
            continue
        if est < found_est:
            found, found_est, ties = i, est, 1
        elif est == found_est:
            ties += 1
            if np.random.randint(ties) == 0:
                found = i
    if found < 0:
        found = drawn
        found_est = -1
    if found < 0:
        return False
    chosen[:3] = moves[found]
    chosen[3] = found_est
    return True


@njit(cache=True, nogil=True)
def tabu_steps(jp, js, seq, seq_len, mach, dur, mp, ms, order, r, q, pos, best_seq, tabu, stats,
               params, path, first, last, moves, seg, rr, arcs, chosen, n_steps):  # fmt: skip
    """`n_steps` tabu iterations from the current schedule; the best one is kept in `best_seq`.

    stats: iteration, makespan, best makespan, iterations since the best, stop-at bound,
    restarts from the best, moves undone because they made a cycle (0 unless a bug).
    params: tenure min, tenure spread, iterations without a new best before going back to the
    best schedule and kicking it with random moves, number of kick moves.
    """
    n = jp.shape[0]
    for _ in range(n_steps):
        if stats[2] <= stats[4]:
            return
        it = stats[0]
        stats[0] = it + 1
        if stats[3] >= params[2]:
            seq[:, :] = best_seq
            positions(seq, seq_len, pos)
            cmax = evaluate(jp, js, seq, seq_len, dur, mp, ms, order, r, q)
            for _kick in range(params[3]):
                _, n_blocks = critical_blocks(jp, mp, dur, r, cmax, path, first, last)
                n_moves = block_moves(path, first, last, n_blocks, moves)
                if not pick_move(jp, js, dur, mp, ms, r, q, seq, seq_len, pos, mach, tabu, it,
                                 0, True, moves, n_moves, seg, rr, arcs, chosen):  # fmt: skip
                    break
                u = chosen[0]
                old = pos[u]
                apply_move(u, chosen[1], chosen[2], seq, pos, mach)
                c = evaluate(jp, js, seq, seq_len, dur, mp, ms, order, r, q)
                if c < 0:
                    undo_move(u, old, seq, pos, mach)
                    c = evaluate(jp, js, seq, seq_len, dur, mp, ms, order, r, q)
                cmax = c
            tabu[:, :] = 0
            stats[1] = cmax
            stats[3] = 0
            stats[5] += 1
            continue
        cmax = stats[1]
        _, n_blocks = critical_blocks(jp, mp, dur, r, cmax, path, first, last)
        if n_blocks == 0:
            # the critical path is one job's chain: no schedule is shorter
            stats[4] = cmax
            return
        n_moves = block_moves(path, first, last, n_blocks, moves)
        if not pick_move(jp, js, dur, mp, ms, r, q, seq, seq_len, pos, mach, tabu, it, stats[2],
                         False, moves, n_moves, seg, rr, arcs, chosen):  # fmt: skip
            stats[3] = params[2]  # nowhere to go: back to the best and kick
            continue
        u, v, direction = chosen[0], chosen[1], chosen[2]
        move_arcs(u, v, direction, seq, seq_len, pos, mach, n, arcs)
        old = pos[u]
        apply_move(u, v, direction, seq, pos, mach)
        c = evaluate(jp, js, seq, seq_len, dur, mp, ms, order, r, q)
        expiry = it + params[0] + np.random.randint(params[1] + 1)
        if c < 0:
            undo_move(u, old, seq, pos, mach)
            c = evaluate(jp, js, seq, seq_len, dur, mp, ms, order, r, q)
            stats[6] += 1
            tabu[arcs[0, 0], arcs[0, 1]] = expiry
            tabu[arcs[1, 0], arcs[1, 1]] = expiry
        else:
            # u may not go back next to the neighbours it leaves for a while
            tabu[arcs[2, 0], arcs[2, 1]] = expiry
            tabu[arcs[3, 0], arcs[3, 1]] = expiry
        stats[1] = c
        if c < stats[2]:
            stats[2] = c
            stats[3] = 0
            best_seq[:, :] = seq
        else:
            stats[3] += 1
