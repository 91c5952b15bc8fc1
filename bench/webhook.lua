-- wrk script: messages.update receipts (v2 shape) for random message ids of the seeded
-- campaign, alternating DELIVERY_ACK and READ: a realistic mix of updates and repeats.
local first = tonumber(os.getenv("FIRST_ID"))
local last = tonumber(os.getenv("LAST_ID"))
local instance = os.getenv("INSTANCE")
local statuses = { "DELIVERY_ACK", "READ" }
local counter = 0

function setup(thread)
  math.randomseed(os.time() + counter)
  counter = counter + 1
end

request = function()
  local id = math.random(first, last)
  local status = statuses[math.random(1, 2)]
  local body = '{"event":"messages.update","instance":"' .. instance ..
    '","data":{"keyId":"B-' .. id .. '","remoteJid":"5511900000000@s.whatsapp.net",' ..
    '"fromMe":true,"status":"' .. status .. '","instanceId":"bench"},' ..
    '"destination":"http://flow","date_time":"2025-10-21T10:23:14.512Z","apikey":null}'
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end
