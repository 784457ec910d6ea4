-- One decision's counters, checked and consumed all-or-nothing in one call (tollgate-redis).
-- The same arithmetic as tollgate-core's CounterMath, so the memory and Redis stores agree.
--
-- ARGV[1] op: 'a' acquire (take every cost only if every enforced entry fits), 'p' peek, 'r' release,
--   'x' reset (forget each entry's counter: a window counter's current and previous windows);
--   or 'm': several decisions in one call (below)
-- ARGV[2] now, epoch ms; '' = read Redis's clock (TIME) once, so nodes with skewed clocks agree
-- ARGV[3] lease time-to-live, ms (concurrency slots held by a node that died expire after it)
-- ARGV[4] lease id, unique per acquire (names the concurrency slots it takes)
-- ARGV[4 + i], entry i: 'algorithm:limit:window ms:burst:interval us:shadow:cost', algorithm one of
--   f (fixed window), s (sliding window), t (token bucket, GCRA), c (concurrency); shadow 1 or 0.
--   One argument per entry, not seven: fewer arguments to encode and decode on every call.
-- KEYS[i]: entry i's counter. Window counters live in KEYS[i]..':'..windowStart; every key carries
--   the same hash tag, so one script call stays on one Redis Cluster node.
-- Returns one string of integers joined by ',': now ms, acquired (1/0), then per entry: fits (1/0),
-- remaining, reset at ms, retry after ms. A release returns now ms.
--
-- Several decisions ('m', sent when decisions queue up behind calls in flight): ARGV[4] is their
-- count, then per decision its op, its lease and its number of entries n, then its n entries; its
-- n keys follow the previous decisions' in KEYS. They run one after another, as separate calls
-- would, at one 'now'; the answer is theirs joined by ';'.

local mode = ARGV[1]
local now, nowus
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  nowus = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[2])
  nowus = now * 1000
end
local ttl = tonumber(ARGV[3])

-- An entry's argument, parsed once per call: a batch's decisions mostly share their arguments, and
-- parsing (string.match, tonumber) is a good part of a decision's cost in Redis.
-- {algorithm, limit, window ms, burst, interval us, shadow, cost}
local parsed = {}
local function entry(arg)
  local e = parsed[arg]
  if e == nil then
    local a, lim, w, bu, iv, sh, c = string.match(arg, '^(%a):(%d+):(%d+):(%d+):(%d+):(%d):(%d+)$')
    e = {a, tonumber(lim), tonumber(w), tonumber(bu), tonumber(iv), sh == '1', tonumber(c)}
    parsed[arg] = e
  end
  return e
end

-- ':' .. a window's start, the suffix of its counter's key, made once per call.
local suffixes = {}
local function suffix(start)
  local s = suffixes[start]
  if s == nil then
    s = ':' .. string.format('%d', start)
    suffixes[start] = s
  end
  return s
end

-- One decision: op, lease, its keys KEYS[kb + 1 .. kb + n], its entries ARGV[ab + 1 .. ab + n].
local function decide(op, lease, kb, ab, n)
  -- Fast path, every entry a fixed window and units to take: take first (INCRBY), and give all back
  -- (DECRBY) if one that is enforced did not fit. The script runs alone, so no one sees the units
  -- between; it saves the GET per entry that checking first costs, and most decisions are admitted.
  -- A refused key that did not exist is left at 0 with its expiry (it would be created by the next
  -- admitted call of the window anyway).
  if op == 'a' and n == 1 then -- the same, for the most common decision, without tables of its own
    local e = entry(ARGV[ab + 1])
    if e[1] == 'f' then
      local lim, w, c = e[2], e[3], e[7]
      local start = now - now % w
      local reset = start + w
      local wk = KEYS[kb + 1] .. suffix(start)
      local count = redis.call('INCRBY', wk, c)
      if count == c then
        redis.call('PEXPIRE', wk, reset - now + 1000)
      end
      if count <= lim then
        return string.format('%d,1,1,%d,%d,0', now, lim - count, reset)
      elseif e[6] then
        return string.format('%d,1,0,%d,%d,%d', now, lim - count, reset, reset - now)
      end
      count = redis.call('DECRBY', wk, c)
      return string.format('%d,0,0,%d,%d,%d', now, lim - count, reset, reset - now)
    end
  end
  if op == 'a' then
    local lim, w, sh, c, wk, start = {}, {}, {}, {}, {}, {}
    local fixed = true
    for i = 1, n do
      local e = entry(ARGV[ab + i])
      if e[1] ~= 'f' then
        fixed = false
        break
      end
      lim[i], w[i], sh[i], c[i] = e[2], e[3], e[6], e[7]
    end
    if fixed then
      local count, fit = {}, {}
      local all = true
      for i = 1, n do
        start[i] = now - now % w[i]
        wk[i] = KEYS[kb + i] .. suffix(start[i])
        count[i] = redis.call('INCRBY', wk[i], c[i])
        if count[i] == c[i] then -- new counter: it lives as long as it can still be read
          redis.call('PEXPIRE', wk[i], start[i] + w[i] - now + 1000)
        end
        fit[i] = count[i] <= lim[i]
        if not fit[i] and not sh[i] then
          all = false
        end
      end
      if not all then
        for i = 1, n do
          count[i] = redis.call('DECRBY', wk[i], c[i])
        end
      end
      local out = {string.format('%d', now), all and '1' or '0'}
      for i = 1, n do
        local reset = start[i] + w[i]
        out[#out + 1] = string.format('%d,%d,%d,%d', fit[i] and 1 or 0, lim[i] - count[i], reset,
          fit[i] and 0 or reset - now)
      end
      return table.concat(out, ',')
    end
  end

  local function num(v)
    return string.format('%d', v)
  end

  local function fields(i)
    return unpack(entry(ARGV[ab + i]), 1, 7)
  end

  local function ceildiv(a, b)
    return -math.floor(-a / b)
  end

  if op == 'x' then
    for i = 1, n do
      local alg, _, window = fields(i)
      local k = KEYS[kb + i]
      if alg == 'f' or alg == 's' then
        local start = now - now % window
        redis.call('DEL', k .. suffix(start), k .. suffix(start - window))
      else
        redis.call('DEL', k)
      end
    end
    return num(now)
  end

  if op == 'r' then
    -- Gives back: KEYS[kb + i] is the exact counter the acquire took from (its window's key).
    for i = 1, n do
      local alg, _, _, _, interval, _, cost = fields(i)
      local k = KEYS[kb + i]
      if alg == 'c' then
        for j = 1, cost do
          redis.call('ZREM', k, lease .. '#' .. j)
        end
      elseif redis.call('EXISTS', k) == 1 then
        local left = redis.call('DECRBY', k, alg == 't' and cost * interval or cost)
        if left < 0 and alg ~= 't' then
          redis.call('SET', k, 0, 'KEEPTTL')
        end
      end
    end
    return num(now)
  end

  local alg, limit, window, burst, interval, cost, shadow = {}, {}, {}, {}, {}, {}, {}
  local start, count, prev = {}, {}, {}
  for i = 1, n do
    alg[i], limit[i], window[i], burst[i], interval[i], shadow[i], cost[i] = fields(i)
    local k = KEYS[kb + i]
    if alg[i] == 'f' or alg[i] == 's' then
      local w = window[i]
      start[i] = now - now % w
      count[i] = tonumber(redis.call('GET', k .. suffix(start[i])) or 0)
      if alg[i] == 's' then
        prev[i] = tonumber(redis.call('GET', k .. suffix(start[i] - w)) or 0)
      end
    elseif alg[i] == 't' then
      count[i] = tonumber(redis.call('GET', k) or 0) -- the theoretical arrival time, epoch us
    else
      count[i] = redis.call('ZCOUNT', k, '(' .. num(now), '+inf') -- leases not yet expired
    end
  end

  local function estimate(i)
    local w = window[i]
    return count[i] + math.floor(prev[i] * (w - (now - start[i])) / w)
  end

  local function fits(i)
    local a = alg[i]
    if a == 'f' or a == 'c' then
      return count[i] + cost[i] <= limit[i]
    elseif a == 's' then
      return estimate(i) + cost[i] <= limit[i]
    end
    local t = interval[i]
    return math.max(count[i], nowus) + cost[i] * t - nowus <= burst[i] * t
  end

  local fit = {}
  local all = true
  for i = 1, n do
    fit[i] = fits(i)
    if not fit[i] and not shadow[i] then
      all = false
    end
  end

  local acquired = op == 'a' and all
  if acquired then
    for i = 1, n do
      local a, k, c = alg[i], KEYS[kb + i], cost[i]
      if a == 'f' or a == 's' then
        local wk = k .. suffix(start[i])
        count[i] = redis.call('INCRBY', wk, c)
        if count[i] == c then -- new counter: it lives as long as it can still be read
          redis.call('PEXPIRE', wk, start[i] + (a == 's' and 2 or 1) * window[i] - now + 1000)
        end
      elseif a == 't' then
        local tat = math.max(count[i], nowus) + c * interval[i]
        count[i] = tat
        redis.call('SET', k, num(tat), 'PX', ceildiv(tat - nowus, 1000) + 1000)
      else
        redis.call('ZREMRANGEBYSCORE', k, '-inf', num(now))
        for j = 1, c do
          redis.call('ZADD', k, num(now + ttl), lease .. '#' .. j)
        end
        redis.call('PEXPIRE', k, ttl + 1000)
        count[i] = count[i] + c
      end
    end
  end

  -- The sliding window's wait until cost fits, as CounterMath.slidingWait.
  local function slidingWait(i)
    local w, lim, c = window[i], limit[i], cost[i]
    local elapsed = now - start[i]
    local current, previous = count[i], prev[i]
    if current + c <= lim then
      local room = lim - c - current
      local at = w - math.floor(((room + 1) * w - 1) / previous)
      return math.max(1, at - elapsed)
    end
    if c > lim then
      return w - elapsed
    end
    local at = w - math.floor(((lim - c + 1) * w - 1) / current)
    return (w - elapsed) + math.max(0, at)
  end

  local out = {num(now), acquired and '1' or '0'}
  for i = 1, n do
    local a, f = alg[i], fit[i]
    local remaining, reset, retry
    if a == 'f' then
      reset = start[i] + window[i]
      remaining, retry = limit[i] - count[i], f and 0 or reset - now
    elseif a == 's' then
      reset = start[i] + window[i]
      remaining, retry = limit[i] - estimate(i), f and 0 or slidingWait(i)
    elseif a == 't' then
      local t = interval[i]
      local tat = math.max(count[i], nowus)
      remaining = math.floor((burst[i] * t - (tat - nowus)) / t)
      reset = ceildiv(tat, 1000)
      retry = f and 0 or ceildiv(tat + cost[i] * t - nowus - burst[i] * t, 1000)
    else
      remaining = limit[i] - count[i]
      reset, retry = f and now or now + 1000, f and 0 or 1000
    end
    out[#out + 1] = f and '1' or '0'
    out[#out + 1] = num(remaining)
    out[#out + 1] = num(reset)
    out[#out + 1] = num(retry)
  end
  return table.concat(out, ',')
end

if mode == 'm' then
  local out = {}
  local kb, ab = 0, 4
  for d = 1, tonumber(ARGV[4]) do
    local n = tonumber(ARGV[ab + 3])
    out[d] = decide(ARGV[ab + 1], ARGV[ab + 2], kb, ab + 3, n)
    kb, ab = kb + n, ab + 3 + n
  end
  return table.concat(out, ';')
end
return decide(mode, ARGV[4], 0, 4, #KEYS)
