"""A client session against mailfront's mailbox.org API, sent the way the Python `mailbox-org-api`
client sends it: `requests.post(url, data=json.dumps(request), headers=headers)` with a shared
header dict that gains `HPLS-AUTH` after `auth`, string ids counting up from "1", `{}` for no params.

Usage: python3 mailboxorg_session.py URL USER PASS
Prints one JSON document: every call with its request and the decoded answer, and the invoice files
decoded as that client decodes them (zlib.decompress(b64decode(bin)))."""
import base64
import json
import sys
import zlib

import requests
import urllib3

urllib3.disable_warnings()
url, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
headers = {'content-type': 'application/json'}
transcript = []
next_id = 0


def api_request(method, params):
    global next_id
    next_id += 1
    request = {'method': method, 'params': params, 'jsonrpc': '2.0', 'id': str(next_id)}
    response = requests.post(url, data=json.dumps(request), headers=headers, verify=False, timeout=20)
    answer = response.json()
    transcript.append({'method': method, 'params': params, 'status': response.status_code,
                       'content_type': response.headers.get('content-type'), 'answer': answer})
    if 'error' in answer:
        raise SystemExit(f'{method}: {answer["error"]}')
    return answer['result']


auth = api_request('auth', {'user': user, 'pass': password})
headers.update({'HPLS-AUTH': auth['session']})
account, domain, new_domain = user, 'domain1.test', 'pyclient.test'
mail = 'py.user@' + new_domain
files = {}

api_request('account.get', {'account': account})
api_request('account.set', {'account': account, 'memo': 'set by the Python client'})
api_request('account.get', {'account': account})
invoices = api_request('account.invoice.list', {'account': account})
for kind in ('pdf', 'csv', 'xml'):
    got = api_request('account.invoice.get', {'account': account, 'token': invoices[0]['token'], 'type': kind})
    files[kind] = zlib.decompress(base64.b64decode(got['bin'])).decode('latin-1')
api_request('domain.list', {'account': account})
api_request('domain.get', {'domain': domain})
api_request('domain.set', {'domain': domain, 'memo': 'py'})
api_request('domain.add', {'account': account, 'domain': new_domain, 'password': 'domain-secret'})
api_request('domain.capabilities.set', {'domain': new_domain, 'capabilities': ['MAIL_SPAMPROTECTION', 'MAIL_BLACKLIST']})
api_request('domain.validate.spf', {'domain': domain})
api_request('context.list', {'account': account})
api_request('mail.list', {'domain': domain, 'details': False})
api_request('mail.add', {'mail': mail, 'password': 'Mail-Secret-1', 'plan': 'standard', 'first_name': 'Py',
                         'last_name': 'Client', 'inboxsave': True, 'forwards': [], 'memo': '',
                         'language': 'en_US', 'skip_welcome_mail': False, 'uid_extern': None})
api_request('mail.get', {'mail': mail, 'include_quota_usage': False})
api_request('mail.set', {'mail': mail, 'require_reset_password': True, 'plan': 'premium', 'title': 'Title',
                         'position': 'Job Position', 'department': 'Department', 'company': 'Company',
                         'street': 'Street 1', 'postal_code': '12345', 'city': 'City', 'phone': '+492345678',
                         'fax': '+492345678', 'cell_phone': '+492345678', 'uid_extern': 'py-4711',
                         'language': 'de_DE', 'aliases': ['py.alias@' + new_domain]})
api_request('mail.get', {'mail': mail, 'include_quota_usage': False})
api_request('mail.list', {'domain': new_domain, 'details': False, 'page': 1, 'page_size': 10,
                          'sort_field': 'mail', 'sort_order': 'asc'})
api_request('mail.capabilities.set', {'mail': mail, 'capabilities': ['MAIL_BACKUPRECOVER']})
api_request('mail.externaluid', {'account': account, 'uid_extern': 'py-4711'})
app = api_request('mail.apppassword.add', {'mail': mail, 'memo': 'tablet', 'imap_allowed': True, 'smtp_allowed': True})
api_request('mail.apppassword.list', {'mail': mail})
api_request('mail.apppassword.del', {'id': app['id']})
api_request('mail.blacklist.add', {'mail': mail, 'add_address': 'spam@example.test'})
api_request('mail.blacklist.list', {'mail': mail})
api_request('mail.blacklist.del', {'mail': mail, 'delete_address': 'spam@example.test'})
api_request('mail.spamprotect.set', {'mail': mail, 'greylist': '1', 'smtp_plausibility': '1', 'rbl': '1',
                                     'bypass_banned_checks': '0', 'tag2level': 5.5, 'killevel': 'route',
                                     'route_to': 'Spam'})
api_request('mail.spamprotect.get', {'mail': mail})
api_request('mail.vacation.set', {'mail': mail, 'subject': 'Away', 'body': 'Back soon',
                                  'start_date': '2026-07-01', 'end_date': '2026-07-14',
                                  'additional_mail_addresses': None})
api_request('mail.vacation.get', {'mail': mail})
api_request('mail.videochat.add', {'mail': mail, 'room_name': 'Team'})
rooms = api_request('mail.videochat.list', {'mail': mail})
api_request('mail.videochat.update', {'mail': mail, 'room_id': rooms[0]['room_id'], 'room_memo': 'weekly'})
api_request('mail.videochat.del', {'mail': mail, 'room_id': rooms[0]['room_id']})
api_request('mail.backup.list', {'mail': mail})
api_request('additionalmailaccount.add', {'new_account_mail': 'old@provider.test', 'new_account_password': 'imap',
                                          'parent_mail': mail, 'primary_address': None,
                                          'mail_server': 'imap.mailbox.org', 'mail_port': '993',
                                          'transport_server': 'smtp.mailbox.org', 'transport_port': '465',
                                          'mail_secure': True, 'mail_starttls': False, 'transport_secure': True,
                                          'transport_starttls': False, 'trash_folder': 'Trash',
                                          'sent_folder': 'Sent', 'drafts_folder': 'Drafts', 'spam_folder': 'Junk'})
api_request('additionalmailaccount.list', {'parent_mail': mail})
api_request('additionalmailaccount.delete', {'parent_mail': mail, 'account_mail': 'old@provider.test'})
api_request('mail.passwordreset.listmethods', {'mail': mail})
api_request('group.add', {'name': 'pyteam', 'display_name': 'Py team', 'mail_addresses_to_add': [mail]})
groups = api_request('group.list', {})
api_request('group.set', {'group_id': groups[0]['group_id'], 'display_name': 'Py team 2',
                          'mail_addresses_to_add': None, 'mail_addresses_to_remove': [mail]})
api_request('group.get', {'group_id': groups[0]['group_id']})
api_request('group.del', {'group_id': groups[0]['group_id']})
api_request('mailinglist.add', {'mailinglist': 'pylist', 'password': 'list-secret', 'account': account,
                                'adminmail': None})
api_request('search', {'query': 'py'})
api_request('mail.del', {'mail': mail})
api_request('domain.del', {'account': account, 'domain': new_domain})
api_request('deauth', {})
del headers['HPLS-AUTH']

print(json.dumps({'calls': transcript, 'files': files}))
