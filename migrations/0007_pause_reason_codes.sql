-- Pause reasons were English sentences; they become a code and its parameters as JSON
-- (src/domain/pauseReason.ts), rendered when shown. The sentences the bot wrote map back
-- to their code and channel; anything else (an older wording, text typed by hand) becomes
-- the code "unknown": still a pause, lifted by /config check as before.
UPDATE `guilds` SET `paused_reason` = (
	SELECT CASE
		WHEN `ch` NOT GLOB '[0-9]*' OR `ch` GLOB '*[^0-9]*' THEN json_object('code', 'unknown')
		WHEN `s` LIKE 'Missing Permissions (Read Message History):%' THEN json_object('code', 'cannotReadHistory', 'channelId', `ch`)
		WHEN `s` LIKE 'Missing Access (50001):%' THEN json_object('code', 'missingAccess', 'channelId', `ch`)
		WHEN `s` LIKE 'Missing Permissions (50013):%' THEN json_object('code', 'missingPermissions', 'channelId', `ch`)
		WHEN `s` LIKE 'Unknown Channel (10003):%' THEN json_object('code', 'channelGone', 'channelId', `ch`)
		ELSE json_object('code', 'unknown')
	END
	FROM (
		SELECT `paused_reason` AS `s`,
			substr(`paused_reason`, instr(`paused_reason`, '<#') + 2,
				instr(substr(`paused_reason`, instr(`paused_reason`, '<#') + 2), '>') - 1) AS `ch`
	)
) WHERE `paused_reason` IS NOT NULL AND json_valid(`paused_reason`) = 0;
--> statement-breakpoint
UPDATE `boards` SET `paused_reason` = (
	SELECT CASE
		WHEN `ch` NOT GLOB '[0-9]*' OR `ch` GLOB '*[^0-9]*' THEN json_object('code', 'unknown')
		WHEN `s` LIKE 'Missing Permissions (Read Message History):%' THEN json_object('code', 'cannotReadHistory', 'channelId', `ch`)
		WHEN `s` LIKE 'Missing Access (50001):%' THEN json_object('code', 'missingAccess', 'channelId', `ch`)
		WHEN `s` LIKE 'Missing Permissions (50013):%' THEN json_object('code', 'missingPermissions', 'channelId', `ch`)
		WHEN `s` LIKE 'Unknown Channel (10003):%' THEN json_object('code', 'channelGone', 'channelId', `ch`)
		ELSE json_object('code', 'unknown')
	END
	FROM (
		SELECT `paused_reason` AS `s`,
			substr(`paused_reason`, instr(`paused_reason`, '<#') + 2,
				instr(substr(`paused_reason`, instr(`paused_reason`, '<#') + 2), '>') - 1) AS `ch`
	)
) WHERE `paused_reason` IS NOT NULL AND json_valid(`paused_reason`) = 0;
