-- Why an invitation request failed was stored as words; it becomes a code
-- (src/domain/inviteDetail.ts), put in words when shown. The words the bot wrote map
-- back to their code; anything else becomes "unexpected".
UPDATE `invites` SET `detail` = CASE
	WHEN `detail` = 'nobody can invite' THEN 'nobodyCanInvite'
	WHEN `detail` = 'approval DM not delivered' THEN 'approvalNotDelivered'
	WHEN `detail` = 'sender not linked' THEN 'senderNotLinked'
	WHEN `detail` = 'rate limited by PSN' THEN 'rate_limited'
	WHEN `detail` = 'PSN refused (not in the party any more?)' THEN 'forbidden'
	WHEN `detail` IN ('PSN auth', 'PSN not_found', 'PSN bad_request', 'PSN unavailable', 'PSN malformed')
		THEN substr(`detail`, 5)
	ELSE 'unexpected'
END WHERE `detail` IS NOT NULL;
