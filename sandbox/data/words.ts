export const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Elijah', 'Sophia', 'James', 'Mia', 'Lucas', 'Amelia', 'Mateo',
  'Harper', 'Theo', 'Evelyn', 'Levi', 'Aria', 'Ezra', 'Luna', 'Kai', 'Priya', 'Wei', 'Yuki', 'Omar', 'Fatima',
  'Lars', 'Ingrid', 'Pedro', 'Lucia', 'Dmitri', 'Zoe', 'Malik', 'Aisha', 'Tomás', 'Chloé', 'Jürgen',
];
export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Nguyen', 'Kim', 'Patel', 'Müller', 'Rossi', 'Kowalski', 'Okafor', 'Haddad', 'Lindqvist', "O'Brien",
  'Margolius', 'Minogue', 'Tanaka', 'Silva', 'Dubois', 'Novak', 'Andersen', 'Costa',
];
export const COMPANY_A = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay', 'Pied Piper', 'Soylent',
  'Tyrell', 'Cyberdyne', 'Wonka', 'Oscorp', 'Aperture', 'Massive Dynamic', 'Blue Sun', 'Nakatomi', 'Monarch',
  'Gringotts', 'Dunder', 'Sterling', 'Prestige', 'Bluth', 'Nested', 'Zenith', 'Northwind', 'Contoso',
];
export const COMPANY_B = [
  'Inc', 'LLC', 'Ltd', 'GmbH', 'Corp', 'Holdings', 'Labs', 'Group', 'Partners', 'Systems', 'Industries', 'Co',
];
export const INDUSTRIES = ['Software', 'Healthcare', 'Finance', 'Retail', 'Manufacturing', 'Education', 'Logistics'];
export const CITIES: [string, string, string, string][] = [
  ['San Francisco', 'CA', 'US', '94107'],
  ['New York', 'NY', 'US', '10001'],
  ['Austin', 'TX', 'US', '78701'],
  ['London', '', 'GB', 'EC1A 1BB'],
  ['Berlin', '', 'DE', '10115'],
  ['Lisbon', '', 'PT', '1100-148'],
  ['Toronto', 'ON', 'CA', 'M5H 2N2'],
  ['Sydney', 'NSW', 'AU', '2000'],
];
export const STREETS = ['Main St', 'Market St', 'High Street', 'Elm Ave', 'Oak Rd', 'Hauptstraße', 'Rua Augusta'];
export const SUBJECTS = [
  'Quick question', 'Following up', 'Proposal attached', 'Re: pricing', 'Demo next week?', 'Contract draft',
  'Intro', 'Checking in', 'Your trial', 'Meeting notes', 'Invoice #{n}', 'Re: onboarding',
];
export const SENTENCES = [
  'Thanks for taking the time to chat today.',
  'Let me know if you have any questions.',
  'We discussed pricing and next steps.',
  'They want to see a demo with the whole team.',
  'Budget is approved for next quarter.',
  'Left a voicemail, will try again tomorrow.',
  'Sent over the proposal — waiting on legal.',
  'Great call, very interested in the API.',
  'Not a fit right now, revisit in six months.',
  'Asked about SSO and data residency.',
  'Émoji test: 🚀 and unicode ✓ in notes.',
  'Line one\nLine two with "quotes" and a backslash \\ .',
];
export const TIMEZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'Asia/Tokyo', 'UTC'];
