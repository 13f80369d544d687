/** Departments of the demo organisation, each with its head's title and its other titles. */
export interface Department {
  readonly name: string;
  readonly code: string;
  readonly headTitle: string;
  readonly managerTitle: string;
  readonly titles: readonly string[];
}

export const DEPARTMENTS: readonly Department[] = [
  { name: 'Engineering', code: 'ENG', headTitle: 'Head of Engineering', managerTitle: 'Engineering Manager',
    titles: ['Software Engineer', 'Senior Software Engineer', 'Staff Engineer', 'QA Engineer', 'Site Reliability Engineer', 'Data Engineer'] },
  { name: 'Sales', code: 'SAL', headTitle: 'Head of Sales', managerTitle: 'Sales Manager',
    titles: ['Account Executive', 'Sales Development Representative', 'Solutions Consultant'] },
  { name: 'Marketing', code: 'MKT', headTitle: 'Head of Marketing', managerTitle: 'Marketing Manager',
    titles: ['Content Strategist', 'Product Marketing Specialist', 'Demand Generation Specialist', 'Designer'] },
  { name: 'Finance', code: 'FIN', headTitle: 'Head of Finance', managerTitle: 'Finance Manager',
    titles: ['Accountant', 'Financial Analyst', 'Payroll Specialist', 'Controller'] },
  { name: 'HR', code: 'HR', headTitle: 'Head of People', managerTitle: 'HR Manager',
    titles: ['HR Business Partner', 'Recruiter', 'People Operations Specialist'] },
  { name: 'Legal', code: 'LEG', headTitle: 'Head of Legal', managerTitle: 'Legal Manager',
    titles: ['Counsel', 'Paralegal', 'Compliance Analyst'] },
  { name: 'Support', code: 'SUP', headTitle: 'Head of Support', managerTitle: 'Support Manager',
    titles: ['Support Engineer', 'Customer Support Specialist', 'Customer Success Engineer'] },
  { name: 'Operations', code: 'OPS', headTitle: 'Head of Operations', managerTitle: 'Operations Manager',
    titles: ['Operations Analyst', 'Office Coordinator', 'Procurement Specialist'] },
  { name: 'Product', code: 'PRD', headTitle: 'Head of Product', managerTitle: 'Group Product Manager',
    titles: ['Product Owner', 'UX Researcher', 'Product Designer', 'Product Analyst'] },
  { name: 'IT', code: 'IT', headTitle: 'Head of IT', managerTitle: 'IT Manager',
    titles: ['IT Support Specialist', 'Systems Administrator', 'Security Analyst', 'Identity Engineer'] },
];

export const LOCATIONS: readonly string[] = [
  'London', 'New York', 'San Francisco', 'Berlin', 'Warsaw', 'Singapore', 'São Paulo', 'Tokyo',
];

/** The CEO's department and title. */
export const CEO = { department: 'Operations', title: 'Chief Executive Officer' } as const;
